using Fathom.Knowledge.Search;

namespace Fathom.Knowledge.Stores;

/// <summary>
/// How hybrid search merges the vector and full-text rankings: relative score fusion (each list's scores over its best,
/// full text weighted <see cref="FullTextWeight"/>, vector the rest) or reciprocal-rank fusion with <see cref="RrfK"/>.
/// </summary>
public sealed record HybridFusion(string Method, int RrfK, double FullTextWeight = HybridFusion.DefaultFullTextWeight)
{
    public const string Relative = "relative";
    public const string ReciprocalRank = "rrf";

    /// <summary>
    /// Chosen on the Python library reference set with the built-in hashed embedder (0.75–0.8 best, 0.5 no better than
    /// full text alone): a lexical embedder adds little that BM25 lacks. A semantic embedder deserves more weight.
    /// </summary>
    public const double DefaultFullTextWeight = 0.8;

    public static readonly string[] Methods = [Relative, ReciprocalRank];

    public static HybridFusion Default { get; } = new(Relative, 60);
}

/// <summary>The three ways to rank a collection's chunks; hybrid fuses the other two.</summary>
public sealed class ChunkSearch(ChunkStore chunks, CollectionEmbedders embedders)
{
    public const string Vector = "vector";
    public const string FullText = "fulltext";
    public const string Hybrid = "hybrid";

    public static readonly string[] Modes = [Vector, FullText, Hybrid];

    public async Task<List<ChunkHit>> SearchAsync(Guid collectionId, CollectionSettings settings, string query, string mode, int topK, Guid[]? documentIds, HybridFusion fusion, CancellationToken ct)
    {
        switch (mode)
        {
            case Vector:
                return await chunks.SearchVectorAsync(collectionId, await embedders.EmbedAsync(settings.Embedding, query, ct), topK, documentIds, ct);
            case FullText:
                return await chunks.SearchFullTextAsync(collectionId, query, topK, documentIds, settings.Bm25, ct);
            default:
                // Fuse deeper lists than are returned, so a chunk ranked well by only one mode still competes. The two
                // searches run at once, each on its own connection.
                var depth = Math.Max(topK * 4, 40);
                var embedding = await embedders.EmbedAsync(settings.Embedding, query, ct);
                var vectorSearch = chunks.SearchVectorAsync(collectionId, embedding, depth, documentIds, ct);
                var textSearch = chunks.SearchFullTextAsync(collectionId, query, depth, documentIds, settings.Bm25, ct);
                await Task.WhenAll(vectorSearch, textSearch);
                var vector = await vectorSearch;
                var text = await textSearch;
                var fused = fusion.Method == HybridFusion.ReciprocalRank
                    ? ReciprocalRankFusion.Fuse([vector, text], h => h.ChunkId, fusion.RrfK)
                    : RelativeScoreFusion.Fuse([vector, text], h => h.ChunkId, h => h.Score, [1 - fusion.FullTextWeight, fusion.FullTextWeight]);
                return fused.Select(f => f.Item with { Score = f.Score }).Take(topK).ToList();
        }
    }
}
