using System.Runtime.CompilerServices;
using System.Text;
using Fathom.Knowledge.Embeddings;
using Fathom.Knowledge.Search;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Fathom.Knowledge.Stores.Answers;

/// <summary>One piece of an answer as it is produced: the citations first, then text, then the end.</summary>
public abstract record AnswerPart
{
    public sealed record Sources(IReadOnlyList<Citation> Citations) : AnswerPart;

    public sealed record Token(string Text) : AnswerPart;

    /// <summary>The end; <paramref name="FinishReason"/> is the chat model's (stop, length, content_filter) when it gave one.</summary>
    public sealed record Done(string Kind, string? FinishReason = null) : AnswerPart;
}

/// <summary>
/// What an OpenAI-style caller adds to a question: the earlier turns of its conversation (its own system
/// messages included) and sampling settings. Both reach the chat model only; extractive answers ignore them.
/// </summary>
public sealed record Conversation(IReadOnlyList<ChatMessage> Earlier, ChatOptions? Options);

/// <summary>
/// Answers a question from retrieved chunks. With an OpenAI-compatible chat model configured (Chat__*),
/// the model writes the answer, told to cite sources as [n]; without one, the best-matching sentences are
/// quoted with their citations and the answer is marked "extractive".
/// </summary>
public sealed class Answering(Retrieval retrieval, IOptions<ChatModelOptions> chatOptions) : IDisposable
{
    public const string Generative = "generative";
    public const string Extractive = "extractive";

    /// <summary>How many passages an answer is written from when the caller does not say.</summary>
    public const int DefaultTopK = 5;

    private readonly IChatClient? _chat = OpenAICompatibleClientFactory.TryCreateChatClient(chatOptions.Value);

    public string Kind => _chat is null ? Extractive : Generative;

    /// <summary>The search an answer is written from: hybrid, <paramref name="topK"/> passages or <see cref="DefaultTopK"/>.</summary>
    public static SearchQuery Query(string question, int? topK) => new(question, SearchMode.Hybrid, topK ?? DefaultTopK);

    /// <summary>Answers the question <paramref name="query"/> asks from the passages it finds.</summary>
    public async IAsyncEnumerable<AnswerPart> AnswerAsync(Guid owner, Collection collection, SearchQuery query, Conversation? conversation, [EnumeratorCancellation] CancellationToken ct)
    {
        var hits = await retrieval.SearchAsync(owner, collection, query, ct);
        var citations = hits.Select((h, i) => new Citation(i + 1, h.ChunkId, h.DocumentId, h.DocumentName, h.Page, h.Snippet)).ToList();
        yield return new AnswerPart.Sources(citations);

        if (hits.Count == 0)
        {
            yield return new AnswerPart.Token("No indexed passage matches this question.");
            yield return new AnswerPart.Done(Kind);
            yield break;
        }

        if (_chat is null)
        {
            var answer = ExtractiveAnswerer.Answer(query.Text, hits.Select((h, i) => new AnswerSource(i + 1, h.Text)).ToList());
            yield return new AnswerPart.Token(answer.Text);
            yield return new AnswerPart.Done(Extractive);
            yield break;
        }

        var prompt = new StringBuilder()
            .AppendLine("Answer the question using only the numbered sources below. Cite every claim with its source number in square brackets, like [1].")
            .AppendLine("If the sources do not contain the answer, say so.")
            .AppendLine();
        foreach (var (hit, i) in hits.Select((h, i) => (h, i)))
        {
            prompt.Append('[').Append(i + 1).Append("] ").Append(hit.DocumentName).Append(hit.Page is { } p ? $", page {p}" : "").AppendLine(":").AppendLine(hit.Text).AppendLine();
        }
        // Fathom's grounding instructions first, then the caller's conversation as it was sent.
        List<ChatMessage> messages = [new(ChatRole.System, prompt.ToString()), .. conversation?.Earlier ?? [], new(ChatRole.User, query.Text)];
        ChatFinishReason? finish = null;
        await foreach (var update in _chat.GetStreamingResponseAsync(messages, conversation?.Options, ct))
        {
            finish = update.FinishReason ?? finish;
            if (!string.IsNullOrEmpty(update.Text))
            {
                yield return new AnswerPart.Token(update.Text);
            }
        }
        yield return new AnswerPart.Done(Generative, finish?.Value);
    }

    /// <summary>The whole answer at once, for callers that do not stream.</summary>
    public static async Task<AskResponse> CollectAsync(IAsyncEnumerable<AnswerPart> parts, string kind)
    {
        IReadOnlyList<Citation> citations = [];
        var answer = new StringBuilder();
        await foreach (var part in parts)
        {
            switch (part)
            {
                case AnswerPart.Sources s:
                    citations = s.Citations;
                    break;
                case AnswerPart.Token t:
                    answer.Append(t.Text);
                    break;
                case AnswerPart.Done d:
                    kind = d.Kind;
                    break;
            }
        }
        return new AskResponse(answer.ToString(), kind, citations);
    }

    public void Dispose() => _chat?.Dispose();
}
