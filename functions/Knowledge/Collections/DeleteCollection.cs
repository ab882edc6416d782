using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Collections;

/// <summary>The collection and its documents disappear at once; their chunks are dropped now, the rows purged later.</summary>
public sealed class DeleteCollection(CollectionStore collections, ChunkStore chunks)
{
    [Function(nameof(DeleteCollection))]
    public async Task<Results<NoContent, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "delete", Route = "collections/{id:guid}")] HttpRequest req,
        Guid id,
        CancellationToken ct)
    {
        if (!await collections.DeleteAsync(req.HttpContext.User.UserId(), id, ct))
        {
            return TypedResults.NotFound();
        }
        await chunks.DropCollectionAsync(id, ct);
        return TypedResults.NoContent();
    }
}
