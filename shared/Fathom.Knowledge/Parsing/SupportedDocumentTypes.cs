namespace Fathom.Knowledge.Parsing;

/// <summary>
/// The file types ingestion can parse, by extension. Kept apart from <see cref="DocumentParsers"/> so that an app
/// that only checks an upload's name (Knowledge) does not reach the parsers, and Native AOT leaves PdfPig, Open XML
/// and Markdig out of its binary. A test holds the list equal to what the parsers accept.
/// </summary>
public static class SupportedDocumentTypes
{
    /// <summary>The extensions, as listed in 415 answers.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".csv", ".json"];

    /// <summary><see cref="Extensions"/> as one line for messages: ".txt .md .html …".</summary>
    public static string ExtensionsText { get; } = string.Join(' ', Extensions);

    /// <summary>Whether a file of this name (its extension, in any case) can be ingested.</summary>
    public static bool IsSupported(string fileName)
        => Extensions.Contains(Path.GetExtension(fileName ?? string.Empty).ToLowerInvariant(), StringComparer.Ordinal);
}
