using System.Security.Cryptography;

namespace Fathom.Knowledge.Stores;

/// <summary>
/// How a document enters a collection, whoever sends it (an upload, an indexed post): stored once per content
/// (SHA-256 within the collection) and queued for ingestion unless it is already there.
/// </summary>
public sealed class DocumentIntake(DocumentStore documents, IngestQueue queue)
{
    public async Task<(DocumentInfo Document, bool Duplicate)> AddAsync(Guid owner, Guid collectionId, string name, string contentType, byte[] content, CancellationToken ct)
    {
        var (document, duplicate) = await documents.CreateAsync(owner, collectionId, name, contentType, content, SHA256.HashData(content), ct);
        // A duplicate still PENDING may be one whose first upload stored it but could not queue it (Redis was
        // down, the caller got a 503 and sent it again): queue it now. A second entry for queued work is
        // harmless, ingestion skips what is COMPLETE and rewrites nothing twice.
        if (!duplicate || document.Status == DocumentStatus.Pending)
        {
            await queue.EnqueueAsync(new IngestMessage(document.Id, collectionId, document.Version));
        }
        return (document, duplicate);
    }
}
