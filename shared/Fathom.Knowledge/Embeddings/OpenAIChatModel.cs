using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIChatFinishReason = Microsoft.Extensions.AI.ChatFinishReason;

namespace Fathom.Knowledge.Embeddings;

/// <summary>
/// The chat model behind generative answers, over the official OpenAI client: system, user and assistant text in,
/// text out, with the sampling settings an OpenAI caller may send. Tools, images and response formats are not sent.
/// Written here rather than taken from Microsoft.Extensions.AI.OpenAI: that adapter covers tools, images, audio and
/// reasoning, and the JSON metadata it links for them cost the Knowledge app 2.2 MB of binary, about 1 MiB idle and
/// 2 ms of cold start (bench/ANALYSIS.md, section 4).
/// </summary>
public sealed class OpenAIChatModel(ChatClient client, string model) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new("openai", defaultModelId: model);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var completion = (await client.CompleteChatAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken).ConfigureAwait(false)).Value;
        var text = string.Concat(completion.Content.Select(part => part.Text));
        return new ChatResponse(new AIChatMessage(ChatRole.Assistant, text))
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = FinishReason(completion.FinishReason),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in client.CompleteChatStreamingAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken).ConfigureAwait(false))
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, string.Concat(update.ContentUpdate.Select(part => part.Text)))
            {
                ResponseId = update.CompletionId,
                ModelId = update.Model,
                CreatedAt = update.CreatedAt,
                FinishReason = update.FinishReason is { } finish ? FinishReason(finish) : null,
            };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(ChatClient) ? client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
    }

    private static List<OpenAI.Chat.ChatMessage> ToOpenAI(IEnumerable<AIChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.Select(m => m.Role == ChatRole.System ? new SystemChatMessage(m.Text)
            : m.Role == ChatRole.Assistant ? new AssistantChatMessage(m.Text)
            : m.Role == ChatRole.User ? (OpenAI.Chat.ChatMessage)new UserChatMessage(m.Text)
            : throw new NotSupportedException($"The chat model takes system, user and assistant messages, not '{m.Role}'.")).ToList();
    }

    private static ChatCompletionOptions? ToOpenAI(ChatOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        var result = new ChatCompletionOptions
        {
            MaxOutputTokenCount = options.MaxOutputTokens,
            Temperature = options.Temperature,
            TopP = options.TopP,
            PresencePenalty = options.PresencePenalty,
            FrequencyPenalty = options.FrequencyPenalty,
        };
#pragma warning disable OPENAI001 // Seed is marked experimental in the OpenAI client; the API has taken it for years.
        result.Seed = options.Seed;
#pragma warning restore OPENAI001
        foreach (var stop in options.StopSequences ?? [])
        {
            result.StopSequences.Add(stop);
        }

        return result;
    }

    private static AIChatFinishReason FinishReason(OpenAI.Chat.ChatFinishReason reason) => reason switch
    {
        OpenAI.Chat.ChatFinishReason.Stop => AIChatFinishReason.Stop,
        OpenAI.Chat.ChatFinishReason.Length => AIChatFinishReason.Length,
        OpenAI.Chat.ChatFinishReason.ContentFilter => AIChatFinishReason.ContentFilter,
        _ => AIChatFinishReason.ToolCalls,
    };
}
