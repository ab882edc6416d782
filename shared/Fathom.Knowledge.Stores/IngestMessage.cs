using StackExchange.Redis;

namespace Fathom.Knowledge.Stores;

/// <summary>One entry of the ingestion stream: which version of which document to ingest. Written and read only here.</summary>
public sealed record IngestMessage(Guid DocumentId, Guid CollectionId, int Version)
{
    private const string DocumentIdField = "documentId";
    private const string CollectionIdField = "collectionId";
    private const string VersionField = "version";

    public NameValueEntry[] ToEntry() =>
    [
        new(DocumentIdField, DocumentId.ToString()),
        new(CollectionIdField, CollectionId.ToString()),
        new(VersionField, Version),
    ];

    /// <summary>The message an entry carries, or null for one that is not an ingestion message (it is skipped, not retried).</summary>
    public static IngestMessage? Parse(StreamEntry entry)
        => Guid.TryParse(entry[DocumentIdField].ToString(), out var documentId)
           && Guid.TryParse(entry[CollectionIdField].ToString(), out var collectionId)
           && int.TryParse(entry[VersionField].ToString(), out var version)
            ? new IngestMessage(documentId, collectionId, version)
            : null;
}
