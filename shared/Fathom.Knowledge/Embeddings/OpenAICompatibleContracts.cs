using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fathom.Knowledge.Embeddings;

// The parts of the OpenAI API Fathom sends and reads as a client: POST /embeddings and POST /chat/completions.
// Fields a server adds beyond these are ignored; fields left null are not sent.

internal sealed record EmbeddingsRequest(
    string Model,
    IReadOnlyList<string> Input,
    int? Dimensions,
    [property: JsonPropertyName("encoding_format")] string EncodingFormat = "float");

internal sealed record EmbeddingsResponse(IReadOnlyList<EmbeddingData>? Data, string? Model, TokenUsage? Usage);

internal sealed record EmbeddingData(int Index, float[]? Embedding);

internal sealed record TokenUsage(
    [property: JsonPropertyName("prompt_tokens")] int? PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int? CompletionTokens,
    [property: JsonPropertyName("total_tokens")] int? TotalTokens);

internal sealed record ChatRequest(
    string Model,
    IReadOnlyList<ChatRequestMessage> Messages,
    bool Stream,
    [property: JsonPropertyName("max_completion_tokens")] int? MaxCompletionTokens,
    float? Temperature,
    [property: JsonPropertyName("top_p")] float? TopP,
    IReadOnlyList<string>? Stop,
    long? Seed,
    [property: JsonPropertyName("presence_penalty")] float? PresencePenalty,
    [property: JsonPropertyName("frequency_penalty")] float? FrequencyPenalty);

internal sealed record ChatRequestMessage(string Role, string Content);

/// <summary>A chat completion, or one chunk of a streamed one (whose choices carry a delta instead of a message).</summary>
internal sealed record ChatCompletionResponse(string? Id, string? Model, long? Created, IReadOnlyList<ChatChoice>? Choices, TokenUsage? Usage, ServerError? Error);

internal sealed record ChatChoice(
    ChatChoiceMessage? Message,
    ChatChoiceMessage? Delta,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);

internal sealed record ChatChoiceMessage(string? Content);

/// <summary>The body of an error answer: <c>{"error": {"message": ..., "type": ..., "code": ...}}</c>.</summary>
internal sealed record ServerErrorResponse(ServerError? Error);

internal sealed record ServerError(string? Message, string? Type);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EmbeddingsRequest))]
[JsonSerializable(typeof(EmbeddingsResponse))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ServerErrorResponse))]
internal sealed partial class OpenAICompatibleJson : JsonSerializerContext;
