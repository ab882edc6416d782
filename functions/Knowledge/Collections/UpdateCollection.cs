using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Collections;

/// <summary>Name, description and BM25 parameters: chunking and embedding settings are fixed at creation (stored chunks and vectors depend on them).</summary>
public sealed class UpdateCollection(CollectionStore collections)
{
    [Function(nameof(UpdateCollection))]
    public async Task<Results<Ok<Collection>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "patch", Route = "collections/{id:guid}")] HttpRequest req,
        Guid id,
        [FromBody] UpdateCollectionRequest body,
        CancellationToken ct)
        => await collections.UpdateAsync(req.HttpContext.User.UserId(), id, body.Name?.Trim(), body.Description, body.Settings?.Bm25?.K1, body.Settings?.Bm25?.B, ct) is { } collection
            ? TypedResults.Ok(collection)
            : TypedResults.NotFound();
}
