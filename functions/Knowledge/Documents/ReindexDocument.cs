using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Documents;

/// <summary>Queues a new version of the document (also the way to retry a FAILED one); the old chunks stay searchable until it completes.</summary>
public sealed class ReindexDocument(DocumentStore documents, IngestQueue queue)
{
    [Function(nameof(ReindexDocument))]
    public async Task<Results<Accepted<DocumentInfo>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "collections/{id:guid}/documents/{documentId:guid}/reindex")] HttpRequest req,
        Guid id,
        Guid documentId,
        CancellationToken ct)
    {
        if (await documents.ReindexAsync(req.HttpContext.User.UserId(), id, documentId, ct) is not { } document)
        {
            return TypedResults.NotFound();
        }
        await queue.EnqueueAsync(new IngestMessage(document.Id, id, document.Version));
        return TypedResults.Accepted($"/api/collections/{id}/documents/{documentId}", document);
    }
}
