using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Documents;

/// <summary>The document with its ingestion status and progress (chunksDone of chunksTotal).</summary>
public sealed class GetDocument(DocumentStore documents)
{
    [Function(nameof(GetDocument))]
    public async Task<Results<Ok<DocumentInfo>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "collections/{id:guid}/documents/{documentId:guid}")] HttpRequest req,
        Guid id,
        Guid documentId,
        CancellationToken ct)
        => await documents.GetAsync(req.HttpContext.User.UserId(), id, documentId, ct) is { } document
            ? TypedResults.Ok(document)
            : TypedResults.NotFound();
}
