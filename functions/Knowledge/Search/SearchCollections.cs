using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Search;
using Fathom.Knowledge.Stores;
using Fathom.Knowledge.Stores.Answers;
using Fathom.Knowledge.Stores.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Search;

/// <summary>One query over several collections (each with its own embedding model), merged by reciprocal rank.</summary>
public sealed class SearchCollections(CollectionStore collections, Retrieval retrieval, OperationsFigures figures, TimeProvider time)
{
    [Function(nameof(SearchCollections))]
    [RequiredScope(RequiredScopeAttribute.Read)]
    public async Task<Results<Ok<SearchResponse>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "search")] HttpRequest req,
        [FromBody] MultiSearchRequest body,
        CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var owner = req.HttpContext.User.UserId();
        var query = body.PerCollection.ToQuery();
        var rankings = new List<IReadOnlyList<SearchResult>>();
        foreach (var id in body.CollectionIds.Distinct())
        {
            if (await collections.GetAsync(owner, id, ct) is not { } collection)
            {
                return TypedResults.NotFound();
            }
            rankings.Add(await retrieval.SearchAsync(owner, collection, query, ct));
        }
        var merged = rankings.Count == 1
            ? rankings[0]
            : ReciprocalRankFusion.Fuse(rankings, r => r.ChunkId, query.Fusion.RrfK)
                .Select(f => f.Item with { Score = Math.Round(f.Score, 6) })
                .Take(query.TopK)
                .ToList();
        await figures.RecordSearchAsync(time.GetElapsedTime(started));
        return TypedResults.Ok(new SearchResponse(query.Mode.Name(), merged));
    }
}
