namespace Fathom.Knowledge.Stores;

/// <summary>The three ways to rank a collection's chunks; hybrid fuses the other two.</summary>
public enum SearchMode
{
    Hybrid,
    Vector,
    FullText,
}

/// <summary>
/// The names of <see cref="SearchMode"/> as the API, the CLI and the benchmark's reports spell them. Text becomes a
/// mode only here, at the edge: a name that is not one of these is refused, never read as hybrid.
/// </summary>
public static class SearchModes
{
    public const string Vector = "vector";
    public const string FullText = "fulltext";
    public const string Hybrid = "hybrid";

    /// <summary>Every mode, in the order evaluations report them (hybrid, which fuses the other two, last).</summary>
    public static readonly SearchMode[] All = [SearchMode.Vector, SearchMode.FullText, SearchMode.Hybrid];

    public static readonly string[] Names = [Vector, FullText, Hybrid];

    public static string Name(this SearchMode mode) => mode switch
    {
        SearchMode.Vector => Vector,
        SearchMode.FullText => FullText,
        SearchMode.Hybrid => Hybrid,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static bool TryParse(string? name, out SearchMode mode)
    {
        (var known, mode) = name switch
        {
            Vector => (true, SearchMode.Vector),
            FullText => (true, SearchMode.FullText),
            Hybrid => (true, SearchMode.Hybrid),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>The mode <paramref name="name"/> names; for text already validated, so an unknown name is a bug and throws.</summary>
    public static SearchMode Parse(string name)
        => TryParse(name, out var mode) ? mode : throw new ArgumentException($"Unknown search mode '{name}': use one of {string.Join(", ", Names)}.", nameof(name));
}

/// <summary>
/// One search, as every caller asks it: the API, ask, chat completions, MCP, <c>fathom eval</c> and the benchmark.
/// <see cref="MinScore"/> applies to the mode's own score (cosine similarity, BM25 or the fused score);
/// <see cref="DocumentIds"/>, when given, limits the search to those documents.
/// </summary>
public sealed record SearchQuery(string Text, SearchMode Mode, int TopK)
{
    public Guid[]? DocumentIds { get; init; }

    public double? MinScore { get; init; }

    public HybridFusion Fusion { get; init; } = HybridFusion.Default;
}
