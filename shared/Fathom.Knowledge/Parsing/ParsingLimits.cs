namespace Fathom.Knowledge.Parsing;

/// <summary>
/// How much one document may become once opened. A .docx is a zip and a PDF holds compressed streams, so a few
/// hundred kilobytes can expand to gigabytes; these bounds fail such a file with a reason instead of letting it
/// take the worker's memory. Set from the Ingestion app's settings (<c>Ingestion__Max…</c>).
/// </summary>
public sealed record ParsingLimits
{
    public static ParsingLimits Default { get; } = new();

    /// <summary>A .docx's parts, uncompressed, all together (read from the zip's directory before anything is inflated).</summary>
    public long MaxExpandedBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The text a document yields, in characters (about four per token: 8 million is some 2 million tokens).</summary>
    public long MaxTextCharacters { get; init; } = 8_000_000;

    /// <summary>Pages of a PDF.</summary>
    public int MaxPages { get; init; } = 5_000;

    public IEnumerable<string> Validate()
    {
        if (MaxExpandedBytes < 1024)
        {
            yield return "Ingestion:MaxExpandedBytes must be at least 1024.";
        }
        if (MaxTextCharacters < 1000)
        {
            yield return "Ingestion:MaxTextCharacters must be at least 1000.";
        }
        if (MaxPages < 1)
        {
            yield return "Ingestion:MaxPages must be at least 1.";
        }
    }
}

/// <summary>A document past one of <see cref="ParsingLimits"/>: failed with the limit named, never retried.</summary>
public sealed class DocumentTooLargeException(string message) : DocumentParseException(message);
