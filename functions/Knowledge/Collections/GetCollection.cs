using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Collections;

public sealed class GetCollection(CollectionStore collections)
{
    [Function(nameof(GetCollection))]
    public async Task<Results<Ok<Collection>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "collections/{id:guid}")] HttpRequest req,
        Guid id,
        CancellationToken ct)
        => await collections.GetAsync(req.HttpContext.User.UserId(), id, ct) is { } collection
            ? TypedResults.Ok(collection)
            : TypedResults.NotFound();
}
