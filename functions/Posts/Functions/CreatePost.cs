using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Posts.Functions;

public sealed class CreatePost(PostStore store, TimeProvider time)
{
    [Function(nameof(CreatePost))]
    public async Task<Created<PostItem>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "posts")] HttpRequest req,
        [FromBody] CreatePostRequest body,
        CancellationToken ct)
    {
        var post = await store.CreateAsync(req.HttpContext.User.UserId(), body, time.GetUtcNow(), ct);
        return TypedResults.Created($"/api/posts/{post.Id}", post);
    }
}
