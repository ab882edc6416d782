using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Functions;
using Fathom.Http;

namespace Assistants.Functions.OpenAI;

// The OpenAI wire format as SDKs send and read it (snake_case names where OpenAI uses them).

/// <summary>One message; <c>content</c> is a string or an array of parts (<c>[{"type":"text","text":...}]</c>), so it is read as JSON.</summary>
public sealed record ChatMessageDto(string Role, JsonElement? Content);

public sealed record StreamOptions([property: JsonPropertyName("include_usage")] bool? IncludeUsage);

public sealed record ChatCompletionRequest(
    string Model,
    IReadOnlyList<ChatMessageDto> Messages,
    bool? Stream,
    [property: JsonPropertyName("stream_options")] StreamOptions? StreamOptions = null,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens = null,
    [property: JsonPropertyName("max_completion_tokens")] int? MaxCompletionTokens = null,
    double? Temperature = null,
    [property: JsonPropertyName("top_p")] double? TopP = null,
    JsonElement? Stop = null,
    int? N = null,
    [property: JsonPropertyName("presence_penalty")] double? PresencePenalty = null,
    [property: JsonPropertyName("frequency_penalty")] double? FrequencyPenalty = null,
    long? Seed = null) : IValidatable
{
    public const int MaxStopSequences = 4;

    /// <summary><c>max_completion_tokens</c> replaced <c>max_tokens</c>; SDKs send either.</summary>
    public int? MaxOutputTokens => MaxCompletionTokens ?? MaxTokens;

    public bool IncludeUsage => Stream == true && StreamOptions?.IncludeUsage == true;

    public void Validate(ValidationErrors errors)
    {
        errors.Text("model", Model, 1, 200);
        if (N is { } n && n != 1)
        {
            errors.Add("n", $"'n' must be 1: Fathom answers with one choice per request (was {n}).");
        }
        Positive(errors, "max_tokens", MaxTokens);
        Positive(errors, "max_completion_tokens", MaxCompletionTokens);
        Between(errors, "temperature", Temperature, 0, 2);
        Between(errors, "top_p", TopP, 0, 1);
        Between(errors, "presence_penalty", PresencePenalty, -2, 2);
        Between(errors, "frequency_penalty", FrequencyPenalty, -2, 2);
        if (Stop is { } stop && ChatStop.Read(stop) is null)
        {
            errors.Add("stop", $"'stop' must be a string or an array of at most {MaxStopSequences} strings.");
        }
        ChatTranscript.Validate(Messages, errors);
    }

    private static void Positive(ValidationErrors errors, string field, int? value)
    {
        if (value is < 1)
        {
            errors.Add(field, $"'{field}' must be at least 1 (was {value}).");
        }
    }

    private static void Between(ValidationErrors errors, string field, double? value, double min, double max)
    {
        if (value is { } v && (double.IsNaN(v) || v < min || v > max))
        {
            errors.Add(field, $"'{field}' must be between {min} and {max} (was {v}).");
        }
    }
}

/// <summary>Reads <c>stop</c>: one string or an array of up to four.</summary>
public static class ChatStop
{
    /// <summary>The stop sequences, or null when <paramref name="stop"/> has another shape.</summary>
    public static IList<string>? Read(JsonElement stop) => stop.ValueKind switch
    {
        JsonValueKind.Null => [],
        JsonValueKind.String => [stop.GetString()!],
        JsonValueKind.Array when stop.GetArrayLength() <= ChatCompletionRequest.MaxStopSequences
            && stop.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            => stop.EnumerateArray().Select(e => e.GetString()!).ToList(),
        _ => null,
    };
}

public sealed record ChatResponseMessage(string Role, string Content);

public sealed record ChatChoice(
    int Index,
    ChatResponseMessage Message,
    [property: JsonPropertyName("finish_reason")] string FinishReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Logprobs = null);

public sealed record ChatUsage([property: JsonPropertyName("prompt_tokens")] int PromptTokens, [property: JsonPropertyName("completion_tokens")] int CompletionTokens, [property: JsonPropertyName("total_tokens")] int TotalTokens);

public sealed record ChatCompletion(string Id, [property: JsonPropertyName("object")] string Kind, long Created, string Model, IReadOnlyList<ChatChoice> Choices, ChatUsage Usage);

public sealed record ChatDelta(string? Role, string? Content);

/// <summary>A streamed choice; <c>finish_reason</c> is present on every chunk, null until the last.</summary>
public sealed record ChatChunkChoice(
    int Index,
    ChatDelta Delta,
    [property: JsonPropertyName("finish_reason"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Logprobs = null);

/// <summary>A streamed chunk; with <c>stream_options.include_usage</c> the last one has no choices and carries <c>usage</c>.</summary>
public sealed record ChatCompletionChunk(string Id, [property: JsonPropertyName("object")] string Kind, long Created, string Model, IReadOnlyList<ChatChunkChoice> Choices, ChatUsage? Usage = null);

public sealed record ModelInfo(string Id, [property: JsonPropertyName("object")] string Kind, long Created, [property: JsonPropertyName("owned_by")] string OwnedBy);

public sealed record ModelList([property: JsonPropertyName("object")] string Kind, IReadOnlyList<ModelInfo> Data);

public sealed record CreateEmbeddingsRequest(
    string Model,
    JsonElement? Input,
    [property: JsonPropertyName("encoding_format")] string? EncodingFormat = null,
    int? Dimensions = null,
    string? User = null) : IValidatable
{
    public const string FloatFormat = "float";
    public const string Base64Format = "base64";

    public void Validate(ValidationErrors errors)
    {
        errors.Text("model", Model, 1, 200);
        errors.OneOf("encoding_format", EncodingFormat, FloatFormat, Base64Format);
        errors.Range("dimensions", Dimensions, 1, EmbeddingModels.MaxDimensions);
    }
}

/// <summary>Streamed errors use OpenAI's body as one <c>data:</c> event, which the SDKs raise as an API error.</summary>
public sealed record OpenAIErrorBody(OpenAIError Error);
