using Fathom.Data;
using Fathom.Functions;
using Fathom.Http;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Posts.Functions;

public sealed class ListPosts(PostStore store)
{
    /// <summary>
    /// <c>?q=words&amp;sort=createdAt|-createdAt|title|relevance&amp;page=1&amp;pageSize=20</c>: published posts of
    /// everyone plus the caller's drafts. Newest first, or best match first when <c>q</c> is given and no sort is.
    /// </summary>
    [Function(nameof(ListPosts))]
    public async Task<Results<Ok<Paged<PostItem>>, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "posts")] HttpRequest req,
        CancellationToken ct)
    {
        if (!PageRequest.TryRead(req, out var page, out var problem))
        {
            return problem!;
        }
        var errors = new ValidationErrors();
        var query = req.Query["q"].ToString().Trim() is { Length: > 0 } q ? q : null;
        if (query is { Length: > PostLimits.MaxQuery })
        {
            errors.Add("q", $"'q' must be at most {PostLimits.MaxQuery} characters long.");
        }
        var sort = req.Query["sort"].ToString() is { Length: > 0 } s ? s : null;
        errors.OneOf("sort", sort, PostSorts.All);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request is not valid.");
        }
        sort ??= query is null ? PostSorts.Newest : PostSorts.Relevance;
        return TypedResults.Ok(await store.ListAsync(req.HttpContext.User.UserId(), query, sort, page, ct));
    }
}
