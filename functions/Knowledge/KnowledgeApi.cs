using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Data;
using Fathom.Functions;
using Fathom.Knowledge.Stores;
using Fathom.Knowledge.Stores.Answers;
using Knowledge.Functions.Documents;
using Knowledge.Functions.Operations;
using Knowledge.Functions.Search;

namespace Knowledge.Functions;

/// <summary>Settings under <c>Knowledge</c>.</summary>
public sealed class KnowledgeOptions
{
    /// <summary>
    /// The one upload limit: the largest request body an upload may send (all its files and multipart framing),
    /// refused from Content-Length before anything is read (413). The gateway and the ingress pass bodies through.
    /// </summary>
    public long MaxUploadBytes { get; set; } = 50 * 1024 * 1024;

    public int MaxFilesPerUpload { get; set; } = 100;

    /// <summary>Longest file name kept (the usual file-system limit).</summary>
    public int MaxFileNameLength { get; set; } = 255;
}

public static class KnowledgeApiRegistration
{
    public static FunctionsApplicationBuilder AddKnowledgeApi(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddOptions<KnowledgeOptions>().BindConfiguration("Knowledge");
        builder.AddAnswers();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, KnowledgeJson.Default));
        return builder;
    }
}

[JsonSerializable(typeof(Collection))]
[JsonSerializable(typeof(Paged<Collection>))]
[JsonSerializable(typeof(DocumentInfo))]
[JsonSerializable(typeof(Paged<DocumentInfo>))]
[JsonSerializable(typeof(CreateCollectionRequest))]
[JsonSerializable(typeof(UpdateCollectionRequest))]
[JsonSerializable(typeof(UploadResponse))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(MultiSearchRequest))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(AskRequest))]
[JsonSerializable(typeof(AskResponse))]
[JsonSerializable(typeof(IReadOnlyList<Citation>))]
[JsonSerializable(typeof(AnswerDone))]
[JsonSerializable(typeof(ChunkResponse))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(OperationsSnapshot))]
[JsonSerializable(typeof(DeadLetterList))]
[JsonSerializable(typeof(RetriedDeadLetter))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class KnowledgeJson : JsonSerializerContext;
