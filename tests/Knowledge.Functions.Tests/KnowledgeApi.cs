namespace Knowledge.Functions.Tests;

// The Knowledge API's responses as a client reads them (the wire's field names, camelCase in JSON). Written here,
// not borrowed from the app, so a renamed field fails a test instead of changing both sides at once.

public sealed record Embedding(string Provider, string Model, int Dimension);

public sealed record Bm25(double K1, double B);

public sealed record CollectionSettings(int ChunkSize, int ChunkOverlap, Embedding Embedding, Bm25 Bm25);

public sealed record CollectionInfo(Guid Id, string Name, string Description, CollectionSettings Settings, long DocumentCount);

public sealed record UploadedDocument(Guid Id, string Name, string Status, bool Duplicate);

public sealed record Upload(IReadOnlyList<UploadedDocument> Documents);

public sealed record DocumentStatus(Guid Id, Guid CollectionId, string Name, string ContentType, long Size, string Status, string? Error, int ChunksDone, int ChunksTotal, int Version);

public sealed record SearchHit(string ChunkId, Guid CollectionId, Guid DocumentId, string DocumentName, int Position, int? Page, string? Heading, double Score, string Snippet, string Text);

public sealed record SearchResults(string Mode, IReadOnlyList<SearchHit> Results)
{
    /// <summary>The score of the one hit from the document named <paramref name="name"/>.</summary>
    public double ScoreOf(string name) => Results.Single(r => r.DocumentName == name).Score;
}

public sealed record Citation(int N, string ChunkId, Guid DocumentId, string DocumentName, int? Page, string Snippet);

public sealed record AskAnswer(string Answer, string Kind, IReadOnlyList<Citation> Citations);

public sealed record Chunk(string Id, Guid DocumentId, string DocumentName, int Position, int? Page, string? Heading, string Text);
