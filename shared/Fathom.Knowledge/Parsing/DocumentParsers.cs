using Fathom.Knowledge.TextProcessing;

namespace Fathom.Knowledge.Parsing;

/// <summary>
/// Picks the parser for an uploaded file by its extension (lowercased), falling back to its
/// content type when the name has no known extension, then normalises the sections and rejects
/// files without text.
/// </summary>
public sealed class DocumentParsers
{
    private readonly Dictionary<string, IDocumentParser> _byExtension = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IDocumentParser> _byContentType = new(StringComparer.OrdinalIgnoreCase);

    public DocumentParsers(IEnumerable<IDocumentParser> parsers, ParsingLimits? limits = null)
    {
        Limits = limits ?? ParsingLimits.Default;
        ArgumentNullException.ThrowIfNull(parsers);
        foreach (var parser in parsers)
        {
            foreach (var extension in parser.Extensions)
            {
                _byExtension[extension] = parser;
            }

            foreach (var contentType in parser.ContentTypes)
            {
                _byContentType[contentType] = parser;
            }
        }

        Extensions = [.. _byExtension.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The built-in parsers for every supported format, with the default limits.</summary>
    public static DocumentParsers Default { get; } = Create(ParsingLimits.Default);

    /// <summary>The built-in parsers with these limits.</summary>
    public static DocumentParsers Create(ParsingLimits limits)
        => new([new PlainTextParser(), new MarkdownParser(), new HtmlParser(), new PdfParser(limits), new DocxParser(limits), new JsonTextParser()], limits);

    public ParsingLimits Limits { get; }

    /// <summary>The extensions this instance accepts.</summary>
    public IReadOnlyList<string> Extensions { get; }

    public bool IsSupported(string fileName, string? contentType = null) => Find(fileName, contentType) is not null;

    /// <summary>The parser for the file, or null when its type is not supported.</summary>
    public IDocumentParser? Find(string fileName, string? contentType = null)
    {
        var extension = Path.GetExtension(fileName ?? string.Empty).ToLowerInvariant();
        if (extension.Length > 0 && _byExtension.TryGetValue(extension, out var parser))
        {
            return parser;
        }

        // "text/html; charset=utf-8" → "text/html"
        var mediaType = contentType?.Split(';', 2)[0].Trim();
        return !string.IsNullOrEmpty(mediaType) && _byContentType.TryGetValue(mediaType, out parser) ? parser : null;
    }

    /// <summary>
    /// Parses and normalises a file. Throws <see cref="UnsupportedDocumentTypeException"/> for an
    /// unknown type and <see cref="DocumentParseException"/> for a corrupt file or one without text.
    /// </summary>
    public async Task<ParsedDocument> ParseAsync(Stream content, string fileName, string? contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var parser = Find(fileName, contentType) ?? throw new UnsupportedDocumentTypeException(UnsupportedDocumentTypeException.DescribeUnsupported(fileName));
        ParsedDocument parsed;
        try
        {
            parsed = await parser.ParseAsync(content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not DocumentParseException and not OperationCanceledException)
        {
            // The document's error is shown to its owner: keep it readable, keep the cause for the logs.
            var extension = Path.GetExtension(fileName ?? string.Empty).ToLowerInvariant();
            throw new DocumentParseException($"The {(extension.Length > 0 ? extension + " " : string.Empty)}file could not be read: {ex.Message}", ex);
        }


        var characters = parsed.Sections.Sum(s => (long)s.Text.Length);
        if (characters > Limits.MaxTextCharacters)
        {
            throw new DocumentTooLargeException(TooMuchText(characters, Limits));
        }
        var sections = new List<DocumentSection>(parsed.Sections.Count);
        foreach (var section in parsed.Sections)
        {
            var text = TextNormalizer.Normalize(section.Text);
            if (text.Length > 0)
            {
                sections.Add(section with { Text = text });
            }
        }

        return sections.Count == 0 ? throw new DocumentParseException(DocumentParseException.NoTextMessage) : new ParsedDocument(sections);
    }

    internal static string TooMuchText(long characters, ParsingLimits limits)
        => $"The document holds {(characters > limits.MaxTextCharacters ? $"{characters:N0}" : "more than " + limits.MaxTextCharacters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} characters of text, past the limit of {limits.MaxTextCharacters:N0} (Ingestion__MaxTextCharacters). Split it into smaller files.";
}
