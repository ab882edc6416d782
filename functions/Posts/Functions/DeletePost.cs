using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Posts.Functions;

public sealed class DeletePost(PostStore store)
{
    [Function(nameof(DeletePost))]
    public async Task<Results<NoContent, NotFound, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "delete", Route = "posts/{id:guid}")] HttpRequest req,
        Guid id,
        CancellationToken ct)
        => await store.DeleteAsync(req.HttpContext.User.UserId(), id, ct) switch
        {
            EditOutcome.Done => TypedResults.NoContent(),
            EditOutcome.Forbidden => NotTheAuthor.Problem("delete"),
            _ => TypedResults.NotFound(),
        };
}
