using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;
using UglyToad.PdfPig.Exceptions;

namespace Fathom.Knowledge.Parsing;

/// <summary>PDF text, one section per page with its 1-based page number, in content order with paragraph breaks.</summary>
public sealed class PdfParser(ParsingLimits limits) : IDocumentParser
{
    public PdfParser()
        : this(ParsingLimits.Default)
    {
    }

    private static readonly ContentOrderTextExtractor.Options ExtractorOptions = new() { SeparateParagraphsWithDoubleNewline = true, ReplaceWhitespaceWithSpace = true };

    public IReadOnlyList<string> Extensions { get; } = [".pdf"];

    public IReadOnlyList<string> ContentTypes { get; } = ["application/pdf"];

    public async Task<ParsedDocument> ParseAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await TextFileDecoder.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        try
        {
            using var pdf = PdfDocument.Open(bytes, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
            if (pdf.NumberOfPages > limits.MaxPages)
            {
                throw new DocumentTooLargeException($"The PDF has {pdf.NumberOfPages:N0} pages, past the limit of {limits.MaxPages:N0} (Ingestion__MaxPages). Split it into smaller files.");
            }
            var sections = new List<DocumentSection>(pdf.NumberOfPages);
            var characters = 0L;
            foreach (var page in pdf.GetPages())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var text = ExtractText(page);
                characters += text.Length;
                if (characters > limits.MaxTextCharacters)
                {
                    throw new DocumentTooLargeException(DocumentParsers.TooMuchText(characters, limits));
                }
                sections.Add(new DocumentSection(text, Page: page.Number));
            }

            return new ParsedDocument(sections);
        }
        catch (PdfDocumentEncryptedException ex)
        {
            throw new DocumentParseException("The PDF could not be read: it is password-protected.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DocumentParseException)
        {
            // PdfPig throws many exception types for damaged files; the user needs only to know which file and why.
            throw new DocumentParseException($"The PDF could not be read: {Describe(ex)}", ex);
        }
    }

    private static string ExtractText(Page page)
    {
        var text = ContentOrderTextExtractor.GetText(page, ExtractorOptions);
        if (!string.IsNullOrWhiteSpace(text))
        {
            return text;
        }

        // Some generators place every glyph separately; word grouping by position still finds the words.
        return string.Join(' ', page.GetWords().Select(w => w.Text));
    }

    private static string Describe(Exception ex) => ex switch
    {
        PdfDocumentFormatException => "the file is damaged or is not a PDF.",
        _ when ex.Message.Length is > 0 and < 200 => ex.Message.TrimEnd('.') + ".",
        _ => "the file is damaged or uses features Fathom cannot read.",
    };
}
