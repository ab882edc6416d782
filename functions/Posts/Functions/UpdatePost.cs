using Fathom.Functions;
using Fathom.Http;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Posts.Functions;

public sealed class UpdatePost(PostStore store, TimeProvider time)
{
    [Function(nameof(UpdatePost))]
    public async Task<Results<Ok<PostItem>, NotFound, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "patch", Route = "posts/{id:guid}")] HttpRequest req,
        Guid id,
        [FromBody] UpdatePostRequest body,
        CancellationToken ct)
    {
        var (outcome, post) = await store.UpdateAsync(req.HttpContext.User.UserId(), id, body, time.GetUtcNow(), ct);
        return outcome switch
        {
            EditOutcome.Done => TypedResults.Ok(post!),
            EditOutcome.Forbidden => NotTheAuthor.Problem("edit"),
            _ => TypedResults.NotFound(),
        };
    }
}

internal static class NotTheAuthor
{
    public static ProblemHttpResult Problem(string action)
        => Problems.Result(StatusCodes.Status403Forbidden, "Not your post", $"Only the author can {action} this post.");
}
