using System.Text;
using System.Text.Json;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Knowledge.Functions.Search;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.OpenAI;

/// <summary>
/// OpenAI-compatible chat completions: point any OpenAI SDK at <c>&lt;fathom&gt;/api/v1</c> with an API key,
/// and the model name (a collection's name or id) selects the collection that answers. The last user
/// message is the question; the answer ends with its numbered sources.
/// </summary>
public sealed class ChatCompletions(CollectionStore collections, Answering answering, TimeProvider time)
{
    [Function(nameof(ChatCompletions))]
    public async Task<Results<Ok<ChatCompletion>, ChatCompletionStream, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "v1/chat/completions")] HttpRequest req,
        [FromBody] ChatCompletionRequest body,
        CancellationToken ct)
    {
        var owner = req.HttpContext.User.UserId();
        if (await collections.FindAsync(owner, body.Model, ct) is not { } collection)
        {
            return Problems.Result(StatusCodes.Status404NotFound, "Model not found", $"No collection named '{body.Model}'. GET /api/v1/models lists yours.");
        }
        var question = body.Messages.Last(m => m.Role == "user" && !string.IsNullOrWhiteSpace(m.Content)).Content!;
        var parts = WithSources(answering.AnswerAsync(owner, collection, new AskRequest(question, null, null), ct));
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        if (body.Stream == true)
        {
            return new ChatCompletionStream(id, created, body.Model, parts);
        }
        var text = new StringBuilder();
        await foreach (var part in parts)
        {
            text.Append(part);
        }
        var answer = text.ToString();
        var completionTokens = answer.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var promptTokens = question.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return TypedResults.Ok(new ChatCompletion(id, "chat.completion", created, body.Model,
            [new ChatChoice(0, new ChatMessageDto("assistant", answer), "stop")],
            new ChatUsage(promptTokens, completionTokens, promptTokens + completionTokens)));
    }

    /// <summary>The answer's text, then its sources as a numbered list (OpenAI clients have no citation field).</summary>
    private static async IAsyncEnumerable<string> WithSources(IAsyncEnumerable<AnswerPart> parts)
    {
        IReadOnlyList<Citation> citations = [];
        await foreach (var part in parts)
        {
            switch (part)
            {
                case AnswerPart.Sources s:
                    citations = s.Citations;
                    break;
                case AnswerPart.Token t:
                    yield return t.Text;
                    break;
            }
        }
        if (citations.Count > 0)
        {
            yield return "\n\nSources:\n" + string.Join('\n', citations.Select(c => $"[{c.N}] {c.DocumentName}{(c.Page is { } p ? $", page {p}" : "")}"));
        }
    }
}

/// <summary>OpenAI's streaming format: <c>data: {chunk}</c> lines, then <c>data: [DONE]</c>.</summary>
public sealed class ChatCompletionStream(string id, long created, string model, IAsyncEnumerable<string> texts) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var ct = httpContext.RequestAborted;
        await WriteAsync(response, new ChatCompletionChunk(id, "chat.completion.chunk", created, model, [new ChatChunkChoice(0, new ChatDelta("assistant", ""), null)]), ct);
        await foreach (var text in texts.WithCancellation(ct))
        {
            await WriteAsync(response, new ChatCompletionChunk(id, "chat.completion.chunk", created, model, [new ChatChunkChoice(0, new ChatDelta(null, text), null)]), ct);
        }
        await WriteAsync(response, new ChatCompletionChunk(id, "chat.completion.chunk", created, model, [new ChatChunkChoice(0, new ChatDelta(null, null), "stop")]), ct);
        await response.WriteAsync("data: [DONE]\n\n", ct);
    }

    private static async Task WriteAsync(HttpResponse response, ChatCompletionChunk chunk, CancellationToken ct)
    {
        await response.WriteAsync($"data: {JsonSerializer.Serialize(chunk, KnowledgeJson.Default.ChatCompletionChunk)}\n\n", ct);
        await response.Body.FlushAsync(ct);
    }
}
