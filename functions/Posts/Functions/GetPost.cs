using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Posts.Functions;

public sealed class GetPost(PostStore store)
{
    /// <summary>A published post, or one of the caller's drafts; other drafts are 404 as if they did not exist.</summary>
    [Function(nameof(GetPost))]
    public async Task<Results<Ok<PostItem>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "posts/{id:guid}")] HttpRequest req,
        Guid id,
        CancellationToken ct)
        => await store.GetAsync(req.HttpContext.User.UserId(), id, ct) is { } post
            ? TypedResults.Ok(post)
            : TypedResults.NotFound();
}
