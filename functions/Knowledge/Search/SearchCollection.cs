using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Fathom.Knowledge.Stores.Answers;
using Fathom.Knowledge.Stores.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Search;

public sealed class SearchCollection(CollectionStore collections, Retrieval retrieval, OperationsFigures figures, TimeProvider time)
{
    [Function(nameof(SearchCollection))]
    [RequiredScope(RequiredScopeAttribute.Read)]
    public async Task<Results<Ok<SearchResponse>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "collections/{id:guid}/search")] HttpRequest req,
        Guid id,
        [FromBody] SearchRequest body,
        CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var owner = req.HttpContext.User.UserId();
        if (await collections.GetAsync(owner, id, ct) is not { } collection)
        {
            return TypedResults.NotFound();
        }
        var query = body.ToQuery();
        var results = await retrieval.SearchAsync(owner, collection, query, ct);
        // For the operations page's latency chart (fire-and-forget, so the caller does not wait on it).
        await figures.RecordSearchAsync(time.GetElapsedTime(started));
        return TypedResults.Ok(new SearchResponse(query.Mode.Name(), results));
    }
}
