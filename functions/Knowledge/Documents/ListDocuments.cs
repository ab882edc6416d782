using Fathom.Data;
using Fathom.Functions;
using Fathom.Http;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Documents;

public sealed class ListDocuments(CollectionStore collections, DocumentStore documents)
{
    /// <summary><c>?status=PENDING|RUNNING|COMPLETE|FAILED&amp;q=name part&amp;page&amp;pageSize</c>, newest first.</summary>
    [Function(nameof(ListDocuments))]
    public async Task<Results<Ok<Paged<DocumentInfo>>, NotFound, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "collections/{id:guid}/documents")] HttpRequest req,
        Guid id,
        CancellationToken ct)
    {
        if (!PageRequest.TryRead(req, out var page, out var problem))
        {
            return problem!;
        }
        var status = req.Query["status"].ToString() is { Length: > 0 } s ? s.ToUpperInvariant() : null;
        var errors = new ValidationErrors();
        errors.OneOf("status", status, DocumentStatus.All);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request is not valid.");
        }
        var owner = req.HttpContext.User.UserId();
        if (await collections.GetAsync(owner, id, ct) is null)
        {
            return TypedResults.NotFound();
        }
        var name = req.Query["q"].ToString() is { Length: > 0 } q ? q : null;
        return TypedResults.Ok(await documents.ListAsync(owner, id, status, name, page, ct));
    }
}
