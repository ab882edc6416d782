using System.Text;
using Fathom.Functions;
using Fathom.Http;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Posts.Functions;

public sealed record IndexPostRequest(Guid CollectionId) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (CollectionId == Guid.Empty)
        {
            errors.Add("collectionId", "'collectionId' is required.");
        }
    }
}

public sealed record IndexPostResponse(Guid DocumentId, Guid CollectionId, string Status, bool Duplicate);

/// <summary>
/// Makes one of the author's posts a Markdown document of one of the author's collections, indexed through
/// the ingestion queue like any upload (the same content twice is one document, queued again while still PENDING).
/// </summary>
public sealed class IndexPost(PostStore posts, CollectionStore collections, DocumentIntake intake)
{
    [Function(nameof(IndexPost))]
    public async Task<Results<Accepted<IndexPostResponse>, NotFound, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "posts/{id:guid}/index")] HttpRequest req,
        Guid id,
        [FromBody] IndexPostRequest body,
        CancellationToken ct)
    {
        var caller = req.HttpContext.User.UserId();
        if (await posts.GetAsync(caller, id, ct) is not { } post)
        {
            return TypedResults.NotFound();
        }
        if (post.AuthorId != caller)
        {
            return Problems.Result(StatusCodes.Status403Forbidden, "Not your post", "Only the author can index a post.");
        }
        if (await collections.GetAsync(caller, body.CollectionId, ct) is null)
        {
            return Problems.Result(StatusCodes.Status404NotFound, "Collection not found", "No collection of yours has this id.");
        }

        var content = Encoding.UTF8.GetBytes($"# {post.Title}\n\n{post.Body}\n");
        var name = $"post-{post.Id:N}.md";
        var (document, duplicate) = await intake.AddAsync(caller, body.CollectionId, name, "text/markdown", content, ct);
        return TypedResults.Accepted($"/api/collections/{body.CollectionId}/documents/{document.Id}", new IndexPostResponse(document.Id, body.CollectionId, document.Status, duplicate));
    }
}
