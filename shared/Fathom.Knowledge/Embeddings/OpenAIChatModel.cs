using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Fathom.Knowledge.Embeddings;

/// <summary>
/// The chat model behind generative answers, on an OpenAI-compatible server: system, user and assistant text in,
/// text out, with the sampling settings an OpenAI caller may send. Tools, images and response formats are not sent
/// (Microsoft.Extensions.AI.OpenAI's adapter, which covers them, linked their JSON metadata into every app that
/// answers; <see cref="OpenAICompatibleClient"/> says what that cost).
/// </summary>
public sealed class OpenAIChatModel(OpenAICompatibleClient client, string model) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new("openai", client.Endpoint, model);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var completion = await client.CompleteAsync(Request(messages, options), cancellationToken).ConfigureAwait(false);
        var choice = completion.Choices is [var first, ..] ? first : throw new ModelServerException("The chat model answered without a choice.", null);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, choice.Message?.Content ?? ""))
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = CreatedAt(completion.Created),
            FinishReason = FinishReason(choice.FinishReason),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var chunk in client.StreamAsync(Request(messages, options), cancellationToken).ConfigureAwait(false))
        {
            // A chunk without choices carries only usage (stream_options.include_usage); nothing to say.
            if (chunk.Choices is not [var choice, ..])
            {
                continue;
            }
            yield return new ChatResponseUpdate(ChatRole.Assistant, choice.Delta?.Content)
            {
                ResponseId = chunk.Id,
                ModelId = chunk.Model,
                CreatedAt = CreatedAt(chunk.Created),
                FinishReason = FinishReason(choice.FinishReason),
            };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose() => client.Dispose();

    private ChatRequest Request(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sent = messages.Select(m => new ChatRequestMessage(Role(m.Role), m.Text)).ToList();
        return new ChatRequest(model, sent, Stream: false, options?.MaxOutputTokens, options?.Temperature, options?.TopP,
            options?.StopSequences is { Count: > 0 } stop ? [.. stop] : null, options?.Seed, options?.PresencePenalty, options?.FrequencyPenalty);
    }

    private static string Role(ChatRole role) =>
        role == ChatRole.System ? "system"
        : role == ChatRole.User ? "user"
        : role == ChatRole.Assistant ? "assistant"
        : throw new NotSupportedException($"The chat model takes system, user and assistant messages, not '{role}'.");

    private static DateTimeOffset? CreatedAt(long? unixSeconds) => unixSeconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    private static ChatFinishReason? FinishReason(string? reason) => reason switch
    {
        null => null,
        "stop" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        "content_filter" => ChatFinishReason.ContentFilter,
        "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
        _ => new ChatFinishReason(reason),
    };
}
