namespace Fathom.Knowledge.Chunking;

/// <summary>Chunk size and overlap in cl100k_base tokens (the collection settings chunkSize and chunkOverlap).</summary>
public sealed record ChunkingOptions
{
    public const int DefaultChunkSize = 400;
    public const int DefaultChunkOverlap = 50;

    /// <summary>Smallest accepted chunk size: any single character must fit into one chunk.</summary>
    public const int MinChunkSize = 8;
    public const int MaxChunkSize = 8192;

    /// <summary>Upper bound of a chunk's token count; never exceeded.</summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>About how many tokens consecutive chunks of a section share (0 to ChunkSize/2).</summary>
    public int ChunkOverlap { get; init; } = DefaultChunkOverlap;

    /// <summary>Problems with these settings as user-facing messages; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ChunkSize is < MinChunkSize or > MaxChunkSize)
        {
            problems.Add($"chunkSize must be between {MinChunkSize} and {MaxChunkSize} tokens (was {ChunkSize}).");
        }

        if (ChunkOverlap < 0 || ChunkOverlap > ChunkSize / 2)
        {
            problems.Add($"chunkOverlap must be between 0 and half of chunkSize ({ChunkSize / 2}) tokens (was {ChunkOverlap}).");
        }

        return problems;
    }
}
