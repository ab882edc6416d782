using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Chunking;
using Fathom.Knowledge.Embeddings;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.AI;

namespace Assistants.Functions.OpenAI;

/// <summary>
/// OpenAI-compatible embeddings, for tools that embed before they search. The model is a collection (its
/// embedder, so query vectors match the collection's) or an embedder by name (GET /api/v1/models lists both).
/// <c>input</c> is a string, an array of strings, or cl100k_base token ids (one array or an array of arrays,
/// as tiktoken-based clients send), decoded back to text.
/// </summary>
public sealed class CreateEmbeddings(CollectionStore collections, EmbeddingModels models, CollectionEmbedders embedders)
{
    public const int MaxInputs = 2048;
    public const int MaxInputTokens = 8192;

    [Function(nameof(CreateEmbeddings))]
    [RequiredScope(RequiredScopeAttribute.Read)]
    public async Task<Results<EmbeddingsResult, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "v1/embeddings")] HttpRequest req,
        [FromBody] CreateEmbeddingsRequest body,
        CancellationToken ct)
    {
        var owner = req.HttpContext.User.UserId();
        var settings = (await collections.FindAsync(owner, body.Model, ct))?.Settings.Embedding ?? models.Find(body.Model);
        if (settings is null)
        {
            return ChatCompletions.ModelNotFound(body.Model);
        }
        if (ReadInputs(body.Input, out var inputs, out var tokens) is { } inputProblem)
        {
            return OpenAIErrors.BadRequest("input", inputProblem);
        }
        if (body.Dimensions is { } requested && CollectionEmbedders.DimensionsProblem(settings, requested) is { } dimensionProblem)
        {
            return OpenAIErrors.BadRequest("dimensions", dimensionProblem);
        }

        var sized = body.Dimensions is { } d ? settings with { Dimension = d } : settings;
        GeneratedEmbeddings<Embedding<float>> vectors;
        try
        {
            vectors = await embedders.For(sized).GenerateAsync(inputs, cancellationToken: ct);
        }
        catch (InvalidOperationException ex) when (body.Dimensions is not null)
        {
            // The endpoint answered with another size than asked for (it cannot shorten this model).
            return OpenAIErrors.BadRequest("dimensions", $"The embedding model cannot make {body.Dimensions} dimensions: {ex.Message}");
        }
        catch (ModelServerException ex)
        {
            var status = ex.Status is >= 400 and < 500 && body.Dimensions is not null ? StatusCodes.Status400BadRequest : StatusCodes.Status502BadGateway;
            return OpenAIErrors.Problem(status, "The embedding model failed", $"The embedding model '{sized.Model}' refused the request: {FirstLine(ex.Message)}",
                status == StatusCodes.Status400BadRequest ? "dimensions" : null, null);
        }
        return new EmbeddingsResult(body.Model, vectors.Select(v => v.Vector).ToList(), body.EncodingFormat == CreateEmbeddingsRequest.Base64Format, tokens);
    }

    /// <summary>The texts to embed and their cl100k_base token count, or why the input cannot be used.</summary>
    public static string? ReadInputs(JsonElement? input, out List<string> texts, out int tokens)
    {
        texts = [];
        tokens = 0;
        var tokenizer = TextChunker.DefaultTokenizer;
        switch (input?.ValueKind)
        {
            case JsonValueKind.String:
                texts.Add(input.Value.GetString()!);
                break;
            case JsonValueKind.Array when input.Value.GetArrayLength() == 0:
                return "'input' must not be an empty array.";
            case JsonValueKind.Array when input.Value[0].ValueKind == JsonValueKind.Number:
                // One text given as token ids.
                if (DecodeTokens(input.Value, "input", out var single) is { } singleProblem)
                {
                    return singleProblem;
                }
                texts.Add(single);
                break;
            case JsonValueKind.Array:
                if (input.Value.GetArrayLength() > MaxInputs)
                {
                    return $"'input' may hold at most {MaxInputs} items (had {input.Value.GetArrayLength()}).";
                }
                var i = 0;
                foreach (var item in input.Value.EnumerateArray())
                {
                    var where = $"input[{i++}]";
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        texts.Add(item.GetString()!);
                    }
                    else if (item.ValueKind == JsonValueKind.Array)
                    {
                        if (DecodeTokens(item, where, out var decoded) is { } problem)
                        {
                            return problem;
                        }
                        texts.Add(decoded);
                    }
                    else
                    {
                        return $"'{where}' must be a string or an array of token ids; an input is a string, an array of strings, an array of token ids or an array of such arrays.";
                    }
                }
                break;
            default:
                return "'input' is required: a string, an array of strings, an array of token ids or an array of such arrays.";
        }
        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i].Length == 0)
            {
                return texts.Count == 1 ? "'input' must not be empty." : $"'input[{i}]' must not be empty.";
            }
            var count = tokenizer.CountTokens(texts[i]);
            if (count > MaxInputTokens)
            {
                return $"'{(texts.Count == 1 ? "input" : $"input[{i}]")}' has {count} tokens; at most {MaxInputTokens} are embedded at once.";
            }
            tokens += count;
        }
        return null;
    }

    private static string? DecodeTokens(JsonElement ids, string where, out string text)
    {
        text = "";
        var list = new List<int>(ids.GetArrayLength());
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var value) || value < 0 || value >= Cl100kVocabularySize)
            {
                return $"'{where}' holds something other than cl100k_base token ids (whole numbers 0 to {Cl100kVocabularySize - 1}): token arrays are read as cl100k_base, the encoding of text-embedding-3 and ada-002.";
            }
            list.Add(value);
        }
        text = TextChunker.DefaultTokenizer.Decode(list);
        return null;
    }

    // cl100k_base's ordinary tokens; the special tokens above them are never embedded.
    private const int Cl100kVocabularySize = 100_256;

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}

/// <summary>OpenAI's embedding list, written straight to the response (vectors can be large).</summary>
public sealed class EmbeddingsResult(string model, IReadOnlyList<ReadOnlyMemory<float>> vectors, bool base64, int tokens) : IResult, IEndpointMetadataProvider
{
    /// <summary>Declares the answer (OpenAI's embedding list (written by hand, so it has no JSON schema here), 200) for the OpenAPI document, as ASP.NET Core's typed results do.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
        => builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), ["application/json"]));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        for (var i = 0; i < vectors.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", i);
            if (base64)
            {
                // Little-endian float32s, as OpenAI sends them (the machines Fathom runs on are little-endian).
                json.WriteBase64String("embedding", MemoryMarshal.AsBytes(vectors[i].Span));
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (var value in vectors[i].Span)
                {
                    json.WriteNumberValue(value);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("model", model);
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", tokens);
        json.WriteNumber("total_tokens", tokens);
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(httpContext.RequestAborted);
    }
}
