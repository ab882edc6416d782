using System.Text.Json.Serialization;
using Fathom.Functions;

namespace Knowledge.Functions.OpenAI;

// The subset of the OpenAI chat-completions wire format that SDKs need to talk to Fathom.

public sealed record ChatMessageDto(string Role, string? Content);

public sealed record ChatCompletionRequest(string Model, IReadOnlyList<ChatMessageDto> Messages, bool? Stream) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Text("model", Model, 1, 200);
        if (Messages is null || !Messages.Any(m => m.Role == "user" && !string.IsNullOrWhiteSpace(m.Content)))
        {
            errors.Add("messages", "At least one user message with content is required.");
        }
    }
}

public sealed record ChatChoice(int Index, ChatMessageDto Message, [property: JsonPropertyName("finish_reason")] string FinishReason);

public sealed record ChatUsage([property: JsonPropertyName("prompt_tokens")] int PromptTokens, [property: JsonPropertyName("completion_tokens")] int CompletionTokens, [property: JsonPropertyName("total_tokens")] int TotalTokens);

public sealed record ChatCompletion(string Id, [property: JsonPropertyName("object")] string Kind, long Created, string Model, IReadOnlyList<ChatChoice> Choices, ChatUsage Usage);

public sealed record ChatDelta(string? Role, string? Content);

public sealed record ChatChunkChoice(int Index, ChatDelta Delta, [property: JsonPropertyName("finish_reason")] string? FinishReason);

public sealed record ChatCompletionChunk(string Id, [property: JsonPropertyName("object")] string Kind, long Created, string Model, IReadOnlyList<ChatChunkChoice> Choices);

public sealed record ModelInfo(string Id, [property: JsonPropertyName("object")] string Kind, long Created, [property: JsonPropertyName("owned_by")] string OwnedBy);

public sealed record ModelList([property: JsonPropertyName("object")] string Kind, IReadOnlyList<ModelInfo> Data);
