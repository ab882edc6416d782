using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Chunking;
using Fathom.Knowledge.Stores;
using Fathom.Knowledge.Stores.Answers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.AI;

namespace Assistants.Functions.OpenAI;

/// <summary>
/// OpenAI-compatible chat completions: point any OpenAI SDK at <c>&lt;fathom&gt;/api/v1</c> with an API key,
/// and the model name (a collection's name or id) selects the collection that answers. The last user
/// message is the question; earlier turns and the sampling parameters go to the chat model (when one is
/// configured); the answer ends with the sources it cites.
/// </summary>
public sealed partial class ChatCompletions(CollectionStore collections, EmbeddingModels embedders, Answering answering, TimeProvider time)
{
    [Function(nameof(ChatCompletions))]
    [RequiredScope(RequiredScopeAttribute.Read)]
    public async Task<Results<Ok<ChatCompletion>, ChatCompletionStream, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "v1/chat/completions")] HttpRequest req,
        [FromBody] ChatCompletionRequest body,
        CancellationToken ct)
    {
        var owner = req.HttpContext.User.UserId();
        if (await collections.FindAsync(owner, body.Model, ct) is not { } collection)
        {
            return embedders.Find(body.Model) is not null
                ? OpenAIErrors.BadRequest("model", $"'{body.Model}' is an embedding model: chat with one of your collections (GET /api/v1/models lists them).", "model_not_supported")
                : ModelNotFound(body.Model);
        }
        var transcript = ChatTranscript.From(body.Messages);
        var conversation = new Conversation(transcript.Earlier, Options(body));
        var parts = answering.AnswerAsync(owner, collection, Answering.Query(transcript.Question, null), conversation, ct);
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var promptTokens = transcript.Texts.Sum(Tokens);
        if (body.Stream == true)
        {
            return new ChatCompletionStream(id, created, body.Model, parts, body.IncludeUsage ? promptTokens : null);
        }
        var answer = new CitedAnswer();
        await foreach (var part in parts)
        {
            answer.Add(part);
        }
        var content = answer.Text + answer.SourcesList();
        var completionTokens = Tokens(content);
        return TypedResults.Ok(new ChatCompletion(id, "chat.completion", created, body.Model,
            [new ChatChoice(0, new ChatResponseMessage("assistant", content), answer.FinishReason)],
            new ChatUsage(promptTokens, completionTokens, promptTokens + completionTokens)));
    }

    public static ProblemHttpResult ModelNotFound(string model)
        => OpenAIErrors.Problem(StatusCodes.Status404NotFound, "Model not found",
            $"The model '{model}' does not exist: models are your collections (by name or id) and Fathom's embedders; GET /api/v1/models lists them.", "model", "model_not_found");

    /// <summary>cl100k_base tokens, the count OpenAI's own models of that family report.</summary>
    public static int Tokens(string text) => text.Length == 0 ? 0 : TextChunker.DefaultTokenizer.CountTokens(text);

    private static ChatOptions? Options(ChatCompletionRequest body)
    {
        var stop = body.Stop is { } s ? ChatStop.Read(s) : null;
        if (body.MaxOutputTokens is null && body.Temperature is null && body.TopP is null && stop is not { Count: > 0 }
            && body.PresencePenalty is null && body.FrequencyPenalty is null && body.Seed is null)
        {
            return null;
        }
        return new ChatOptions
        {
            MaxOutputTokens = body.MaxOutputTokens,
            Temperature = (float?)body.Temperature,
            TopP = (float?)body.TopP,
            StopSequences = stop is { Count: > 0 } ? stop : null,
            PresencePenalty = (float?)body.PresencePenalty,
            FrequencyPenalty = (float?)body.FrequencyPenalty,
            Seed = body.Seed,
        };
    }

    /// <summary>
    /// An answer being put together: its text, the citations offered, and the finish reason. OpenAI clients have
    /// no citation field, so the sources the text cites as [n] are appended as a list.
    /// </summary>
    public sealed partial class CitedAnswer
    {
        private readonly StringBuilder _text = new();
        private IReadOnlyList<Citation> _citations = [];

        public string Text => _text.ToString();

        public string FinishReason { get; private set; } = "stop";

        /// <summary>The part's text to pass on (empty for parts that carry none).</summary>
        public string Add(AnswerPart part)
        {
            switch (part)
            {
                case AnswerPart.Sources s:
                    _citations = s.Citations;
                    return "";
                case AnswerPart.Token t:
                    _text.Append(t.Text);
                    return t.Text;
                case AnswerPart.Done { FinishReason: { Length: > 0 } reason }:
                    FinishReason = reason;
                    return "";
                default:
                    return "";
            }
        }

        /// <summary>"Sources:" with the cited ones only, in number order; empty when the text cites none.</summary>
        public string SourcesList()
        {
            var text = Text;
            var cited = CitationRegex().Matches(text)
                .SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Select(n => int.TryParse(n, out var v) ? v : -1)
                .ToHashSet();
            var listed = _citations.Where(c => cited.Contains(c.N)).OrderBy(c => c.N).ToList();
            return listed.Count == 0
                ? ""
                : ChatTranscript.SourcesHeading + string.Join('\n', listed.Select(c => $"[{c.N}] {c.DocumentName}{(c.Page is { } p ? $", page {p}" : "")}"));
        }

        // [1], [2, 3] and [1][2] all cite.
        [GeneratedRegex(@"\[(\d+(?:\s*,\s*\d+)*)\]")]
        private static partial Regex CitationRegex();
    }
}

/// <summary>
/// OpenAI's streaming format: <c>data: {chunk}</c> lines, then <c>data: [DONE]</c>. Every chunk but the last
/// has <c>finish_reason: null</c>; with <c>include_usage</c> a final chunk with no choices carries the usage.
/// </summary>
public sealed class ChatCompletionStream(string id, long created, string model, IAsyncEnumerable<AnswerPart> parts, int? promptTokens) : IResult, IEndpointMetadataProvider
{
    /// <summary>Declares the answer (server-sent chunks, 200) for the OpenAPI document, as ASP.NET Core's typed results do.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
        => builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), ["text/event-stream"]));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        await using var enumerator = parts.GetAsyncEnumerator(ct);
        // Retrieval runs before the first part: if it fails, the caller still gets an HTTP error, not a broken stream.
        var more = await enumerator.MoveNextAsync();

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await WriteAsync(response, Chunk(new ChatDelta("assistant", ""), null), ct);
        var answer = new ChatCompletions.CitedAnswer();
        try
        {
            for (; more; more = await enumerator.MoveNextAsync())
            {
                if (answer.Add(enumerator.Current) is { Length: > 0 } text)
                {
                    await WriteAsync(response, Chunk(new ChatDelta(null, text), null), ct);
                }
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Headers are gone: OpenAI reports a failure mid-stream as an error event, which SDKs raise.
            var error = new OpenAIErrorBody(new OpenAIError($"The answer failed part-way: {ex.Message}", "server_error", null, null));
            await response.WriteAsync($"data: {JsonSerializer.Serialize(error, AssistantsJson.Default.OpenAIErrorBody)}\n\n", ct);
            return;
        }
        var sources = answer.SourcesList();
        if (sources.Length > 0)
        {
            await WriteAsync(response, Chunk(new ChatDelta(null, sources), null), ct);
        }
        await WriteAsync(response, Chunk(new ChatDelta(null, null), answer.FinishReason), ct);
        if (promptTokens is { } prompt)
        {
            var completion = ChatCompletions.Tokens(answer.Text + sources);
            await WriteAsync(response, new ChatCompletionChunk(id, "chat.completion.chunk", created, model, [], new ChatUsage(prompt, completion, prompt + completion)), ct);
        }
        await response.WriteAsync("data: [DONE]\n\n", ct);
    }

    private ChatCompletionChunk Chunk(ChatDelta delta, string? finishReason)
        => new(id, "chat.completion.chunk", created, model, [new ChatChunkChoice(0, delta, finishReason)]);

    private static async Task WriteAsync(HttpResponse response, ChatCompletionChunk chunk, CancellationToken ct)
    {
        await response.WriteAsync($"data: {JsonSerializer.Serialize(chunk, AssistantsJson.Default.ChatCompletionChunk)}\n\n", ct);
        await response.Body.FlushAsync(ct);
    }
}
