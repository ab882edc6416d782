using Fathom.Redis.Streams;
using StackExchange.Redis;

namespace Fathom.Knowledge.Stores;

/// <summary>
/// One entry of the ingestion stream: which version of which document to ingest, and the W3C trace context of the
/// span that queued it (when there was one), so ingestion continues the upload's trace. Written and read only here.
/// </summary>
public sealed record IngestMessage(Guid DocumentId, Guid CollectionId, int Version, string? TraceParent = null, string? TraceState = null)
{
    private const string DocumentIdField = "documentId";
    private const string CollectionIdField = "collectionId";
    private const string VersionField = "version";

    public NameValueEntry[] ToEntry()
    {
        List<NameValueEntry> fields =
        [
            new(DocumentIdField, DocumentId.ToString()),
            new(CollectionIdField, CollectionId.ToString()),
            new(VersionField, Version),
        ];
        if (TraceParent is not null)
        {
            fields.Add(new(StreamTraceContext.TraceParentField, TraceParent));
            if (!string.IsNullOrEmpty(TraceState))
            {
                fields.Add(new(StreamTraceContext.TraceStateField, TraceState));
            }
        }
        return [.. fields];
    }

    /// <summary>This message carrying the current span's trace context, unless it carries one already.</summary>
    public IngestMessage WithCurrentTrace()
    {
        if (TraceParent is not null || StreamTraceContext.Current() is not ({ } traceParent, var traceState))
        {
            return this;
        }
        return this with { TraceParent = traceParent, TraceState = traceState };
    }

    /// <summary>The message an entry carries, or null for one that is not an ingestion message (it is skipped, not retried).</summary>
    public static IngestMessage? Parse(StreamEntry entry)
        => Guid.TryParse(entry[DocumentIdField].ToString(), out var documentId)
           && Guid.TryParse(entry[CollectionIdField].ToString(), out var collectionId)
           && int.TryParse(entry[VersionField].ToString(), out var version)
            ? new IngestMessage(documentId, collectionId, version, (string?)entry[StreamTraceContext.TraceParentField], (string?)entry[StreamTraceContext.TraceStateField])
            : null;
}
