using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Documents;

/// <summary>The document leaves search at once (its chunks are deleted now); its row is purged later.</summary>
public sealed class DeleteDocument(DocumentStore documents, ChunkStore chunks)
{
    [Function(nameof(DeleteDocument))]
    public async Task<Results<NoContent, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "delete", Route = "collections/{id:guid}/documents/{documentId:guid}")] HttpRequest req,
        Guid id,
        Guid documentId,
        CancellationToken ct)
    {
        if (!await documents.DeleteAsync(req.HttpContext.User.UserId(), id, documentId, ct))
        {
            return TypedResults.NotFound();
        }
        await chunks.DeleteDocumentAsync(id, documentId, ct);
        return TypedResults.NoContent();
    }
}
