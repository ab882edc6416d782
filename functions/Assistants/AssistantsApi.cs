using System.Text.Json;
using System.Text.Json.Serialization;
using Assistants.Functions.Mcp;
using Assistants.Functions.OpenAI;
using Fathom.Functions;

namespace Assistants.Functions;

/// <summary>
/// The app AI assistants call: the OpenAI-compatible API (<c>/api/v1</c>) and the MCP server (<c>/api/mcp</c>). They are
/// an app of their own so that Knowledge's REST API does not link, nor start with, the MCP SDK and the tokenizer's
/// vocabulary it never uses (bench/ANALYSIS.md, section 4).
/// </summary>
public static class AssistantsApiRegistration
{
    public static FunctionsApplicationBuilder AddOpenAIApi(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EmbeddingModels>();
        builder.Services.AddOpenAIErrorShape();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AssistantsJson.Default));
        return builder;
    }
}

[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(CreateEmbeddingsRequest))]
[JsonSerializable(typeof(OpenAIError))]
[JsonSerializable(typeof(OpenAIErrorBody))]
[JsonSerializable(typeof(ResourceMetadataDocument))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class AssistantsJson : JsonSerializerContext;
