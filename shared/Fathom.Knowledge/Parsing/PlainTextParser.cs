namespace Fathom.Knowledge.Parsing;

/// <summary>Plain text and CSV: the whole file is one section (CSV rows stay lines, so chunks split between rows).</summary>
public sealed class PlainTextParser : IDocumentParser
{
    public IReadOnlyList<string> Extensions { get; } = [".txt", ".csv"];

    public IReadOnlyList<string> ContentTypes { get; } = ["text/plain", "text/csv"];

    public async Task<ParsedDocument> ParseAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await TextFileDecoder.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        var text = TextFileDecoder.Decode(bytes, "text file");
        return new ParsedDocument([new DocumentSection(text)]);
    }
}
