using Fathom.Data;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Collections;

public sealed class ListCollections(CollectionStore collections)
{
    [Function(nameof(ListCollections))]
    public async Task<Results<Ok<Paged<Collection>>, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "collections")] HttpRequest req,
        CancellationToken ct)
        => PageRequest.TryRead(req, out var page, out var problem)
            ? TypedResults.Ok(await collections.ListAsync(req.HttpContext.User.UserId(), page, ct))
            : problem!;
}
