using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Collections;

public sealed class CreateCollection(CollectionStore collections, CollectionEmbedders embedders)
{
    [Function(nameof(CreateCollection))]
    public async Task<Results<Created<Collection>, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "collections")] HttpRequest req,
        [FromBody] CreateCollectionRequest body,
        CancellationToken ct)
    {
        var settings = body.Resolve(embedders.Default);
        if (embedders.Validate(settings.Embedding) is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["settings.embedding"] = [.. problems] }, title: "The request is not valid.");
        }
        var collection = await collections.CreateAsync(req.HttpContext.User.UserId(), body.Name.Trim(), body.Description ?? "", settings, ct);
        return TypedResults.Created($"/api/collections/{collection.Id}", collection);
    }
}
