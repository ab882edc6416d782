namespace Fathom.Knowledge.Parsing;

/// <summary>Reads one file format into raw sections; <see cref="DocumentParsers"/> normalises and validates the result.</summary>
public interface IDocumentParser
{
    /// <summary>Lowercase extensions with the dot, e.g. ".md".</summary>
    IReadOnlyList<string> Extensions { get; }

    /// <summary>Media types this parser reads when a file has no known extension.</summary>
    IReadOnlyList<string> ContentTypes { get; }

    /// <summary>Parses the whole file. Throws <see cref="DocumentParseException"/> when it is corrupt.</summary>
    Task<ParsedDocument> ParseAsync(Stream content, CancellationToken cancellationToken);
}
