using Fathom.Knowledge.Search;

namespace Fathom.Knowledge.Stores;

/// <summary>How hybrid search merges the vector and full-text rankings.</summary>
public enum FusionMethod
{
    /// <summary>Each list's scores over its best, full text weighted <see cref="HybridFusion.FullTextWeight"/>, vector the rest.</summary>
    Relative,

    /// <summary>Reciprocal-rank fusion with <see cref="HybridFusion.RrfK"/>.</summary>
    ReciprocalRank,
}

/// <summary>A <see cref="FusionMethod"/> with its parameters.</summary>
public sealed record HybridFusion(FusionMethod Method, int RrfK, double FullTextWeight = HybridFusion.DefaultFullTextWeight)
{
    public const string Relative = "relative";
    public const string ReciprocalRank = "rrf";

    /// <summary>
    /// Chosen on the Python library reference set with the built-in hashed embedder (0.75–0.8 best, 0.5 no better than
    /// full text alone): a lexical embedder adds little that BM25 lacks. A semantic embedder deserves more weight.
    /// </summary>
    public const double DefaultFullTextWeight = 0.8;

    /// <summary>The methods' names as the API and the CLI spell them.</summary>
    public static readonly string[] Methods = [Relative, ReciprocalRank];

    public static HybridFusion Default { get; } = new(FusionMethod.Relative, 60);

    public string MethodName => Method == FusionMethod.ReciprocalRank ? ReciprocalRank : Relative;

    /// <summary>The method <paramref name="name"/> names; for text already validated, so an unknown name is a bug and throws.</summary>
    public static FusionMethod Parse(string name) => name switch
    {
        Relative => FusionMethod.Relative,
        ReciprocalRank => FusionMethod.ReciprocalRank,
        _ => throw new ArgumentException($"Unknown fusion '{name}': use one of {string.Join(", ", Methods)}.", nameof(name)),
    };
}

/// <summary>Ranks a collection's chunks for a <see cref="SearchQuery"/>; hybrid fuses the vector and full-text rankings.</summary>
public sealed class ChunkSearch(ChunkStore chunks, CollectionEmbedders embedders)
{
    public async Task<List<ChunkHit>> SearchAsync(Guid collectionId, CollectionSettings settings, SearchQuery query, CancellationToken ct)
    {
        var hits = query.Mode switch
        {
            SearchMode.Vector => await chunks.SearchVectorAsync(collectionId, await embedders.EmbedAsync(settings.Embedding, query.Text, ct), query.TopK, query.DocumentIds, ct),
            SearchMode.FullText => await chunks.SearchFullTextAsync(collectionId, query.Text, query.TopK, query.DocumentIds, settings.Bm25, ct),
            SearchMode.Hybrid => await HybridAsync(collectionId, settings, query, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(query), query.Mode, "Unknown search mode."),
        };
        return query.MinScore is { } min ? hits.Where(h => h.Score >= min).ToList() : hits;
    }

    private async Task<List<ChunkHit>> HybridAsync(Guid collectionId, CollectionSettings settings, SearchQuery query, CancellationToken ct)
    {
        // Fuse deeper lists than are returned, so a chunk ranked well by only one mode still competes. The two
        // searches run at once, each on its own connection.
        var depth = Math.Max(query.TopK * 4, 40);
        var embedding = await embedders.EmbedAsync(settings.Embedding, query.Text, ct);
        var vectorSearch = chunks.SearchVectorAsync(collectionId, embedding, depth, query.DocumentIds, ct);
        var textSearch = chunks.SearchFullTextAsync(collectionId, query.Text, depth, query.DocumentIds, settings.Bm25, ct);
        await Task.WhenAll(vectorSearch, textSearch);
        var vector = await vectorSearch;
        var text = await textSearch;
        var fusion = query.Fusion;
        var fused = fusion.Method == FusionMethod.ReciprocalRank
            ? ReciprocalRankFusion.Fuse([vector, text], h => h.ChunkId, fusion.RrfK)
            : RelativeScoreFusion.Fuse([vector, text], h => h.ChunkId, h => h.Score, [1 - fusion.FullTextWeight, fusion.FullTextWeight]);
        return fused.Select(f => f.Item with { Score = f.Score }).Take(query.TopK).ToList();
    }
}
