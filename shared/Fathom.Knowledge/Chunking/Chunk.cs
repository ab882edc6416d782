namespace Fathom.Knowledge.Chunking;

/// <summary>
/// One piece of a document as it is embedded and indexed. <paramref name="Position"/> is 0-based
/// across the whole document; <paramref name="Page"/> and <paramref name="Heading"/> come from the
/// section the chunk lies in (a chunk never spans sections, so never spans pages).
/// </summary>
public sealed record Chunk(int Position, string Text, int? Page, string? Heading, int TokenCount);
