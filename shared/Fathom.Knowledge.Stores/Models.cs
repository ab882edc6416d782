namespace Fathom.Knowledge.Stores;

public sealed record EmbeddingSettings(string Provider, string Model, int Dimension);

/// <summary>
/// BM25's term-frequency saturation (<c>k1</c>) and length normalisation (<c>b</c>) for a collection's full-text ranking.
/// The defaults are Anserini's (Lucene's are 1.2 / 0.75), tuned on passage collections like a collection's chunks.
/// </summary>
public sealed record Bm25Settings(double K1, double B)
{
    public const double MaxK1 = 3;

    public static Bm25Settings Default { get; } = new(0.9, 0.4);
}

public sealed record CollectionSettings(int ChunkSize, int ChunkOverlap, EmbeddingSettings Embedding, Bm25Settings Bm25);

public sealed record Collection(Guid Id, string Name, string Description, CollectionSettings Settings, long DocumentCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public static class DocumentStatus
{
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Complete = "COMPLETE";
    public const string Failed = "FAILED";

    public static readonly string[] All = [Pending, Running, Complete, Failed];
}

public sealed record DocumentInfo(
    Guid Id,
    Guid CollectionId,
    string Name,
    string ContentType,
    long Size,
    string Status,
    string? Error,
    int ChunksDone,
    int ChunksTotal,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Everything ingestion needs about one document version, read when it claims the work.</summary>
public sealed record IngestionWork(Guid DocumentId, Guid CollectionId, int Version, string Name, byte[] Content, CollectionSettings Settings, int ChunksDoneBefore = 0);

/// <summary>One chunk as stored in the vector store; the id is stable for a document version and position, so re-writes are no-ops.</summary>
public sealed record ChunkRecord(string Id, Guid DocumentId, int DocumentVersion, int Position, string Text, int? Page, string? Heading, float[] Embedding)
{
    public static string IdFor(Guid documentId, int version, int position) => $"{documentId:N}:{version}:{position}";
}

public sealed record ChunkHit(string ChunkId, Guid DocumentId, int Position, int? Page, string? Heading, string Text, double Score);
