using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Fathom.Knowledge.Stores.Answers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Search;

/// <summary>An answer with citations [n]; streamed as server-sent events with <c>stream: true</c> or <c>Accept: text/event-stream</c>.</summary>
public sealed class AskCollection(CollectionStore collections, Answering answering)
{
    [Function(nameof(AskCollection))]
    [RequiredScope(RequiredScopeAttribute.Read)]
    public async Task<Results<Ok<AskResponse>, AnswerEventStream, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "collections/{id:guid}/ask")] HttpRequest req,
        Guid id,
        [FromBody] AskRequest body,
        CancellationToken ct)
    {
        var owner = req.HttpContext.User.UserId();
        if (await collections.GetAsync(owner, id, ct) is not { } collection)
        {
            return TypedResults.NotFound();
        }
        var parts = answering.AnswerAsync(owner, collection, body.ToQuery(), null, ct);
        if (body.Stream == true || req.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            return new AnswerEventStream(parts);
        }

        return TypedResults.Ok(await Answering.CollectAsync(parts, answering.Kind));
    }
}
