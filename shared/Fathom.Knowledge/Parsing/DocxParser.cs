using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using WordText = DocumentFormat.OpenXml.Wordprocessing.Text;

namespace Fathom.Knowledge.Parsing;

/// <summary>Word documents: body paragraphs and tables in order; paragraphs with a Heading (or Title) style become section headings.</summary>
public sealed partial class DocxParser(ParsingLimits limits) : IDocumentParser
{
    public DocxParser()
        : this(ParsingLimits.Default)
    {
    }

    public IReadOnlyList<string> Extensions { get; } = [".docx"];

    public IReadOnlyList<string> ContentTypes { get; } = ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"];

    public async Task<ParsedDocument> ParseAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await TextFileDecoder.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            CheckExpandedSize(stream);
            using var document = WordprocessingDocument.Open(stream, isEditable: false);
            var body = document.MainDocumentPart?.Document?.Body
                ?? throw new DocumentParseException("The Word document could not be read: it has no document body.");
            var styles = StyleHeadingLevels(document.MainDocumentPart.StyleDefinitionsPart);
            var sections = new SectionCollector(limits);
            foreach (var element in body.ChildElements)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Visit(element, sections, styles);
            }

            return sections.Build();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DocumentParseException)
        {
            throw new DocumentParseException("The Word document could not be read: the file is damaged or is not a .docx file.", ex);
        }
    }

    /// <summary>
    /// The sizes the zip's central directory declares, summed before any part is inflated. A part that inflates past
    /// its declared size makes the zip reader throw, so the declaration cannot be used to sneak past this.
    /// </summary>
    private void CheckExpandedSize(MemoryStream stream)
    {
        long expanded;
        try
        {
            using var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true);
            expanded = zip.Entries.Sum(e => e.Length);
        }
        catch (InvalidDataException ex)
        {
            throw new DocumentParseException("The Word document could not be read: the file is damaged or is not a .docx file.", ex);
        }
        stream.Position = 0;
        if (expanded > limits.MaxExpandedBytes)
        {
            throw new DocumentTooLargeException(
                $"The Word document expands to {expanded / (1024.0 * 1024):N0} MB when unzipped, past the limit of {limits.MaxExpandedBytes / (1024.0 * 1024):N0} MB (Ingestion__MaxExpandedBytes).");
        }
    }

    private static void Visit(OpenXmlElement element, SectionCollector sections, IReadOnlyDictionary<string, int> styles)
    {
        switch (element)
        {
            case Paragraph paragraph:
                var text = ParagraphText(paragraph);
                if (HeadingLevel(paragraph, styles) is { } level)
                {
                    sections.Heading(level, text);
                }
                else
                {
                    sections.Block(text);
                }

                break;
            case Table table:
                foreach (var row in table.Elements<TableRow>())
                {
                    var cells = row.Elements<TableCell>()
                        .Select(cell => string.Join(' ', cell.Descendants<Paragraph>().Select(ParagraphText)).Trim())
                        .Where(cell => cell.Length > 0);
                    sections.Line(string.Join(" | ", cells));
                }

                sections.EndBlock();
                break;
            case SdtBlock block:
                foreach (var child in block.SdtContentBlock?.ChildElements ?? [])
                {
                    Visit(child, sections, styles);
                }

                break;
        }
    }

    // Walks runs by hand: InnerText would also return field codes ("PAGEREF _Toc123") and deleted revisions.
    private static string ParagraphText(Paragraph paragraph)
    {
        var builder = new StringBuilder();
        foreach (var node in paragraph.Descendants())
        {
            switch (node)
            {
                case WordText text:
                    builder.Append(text.Text);
                    break;
                case TabChar:
                    builder.Append('\t');
                    break;
                case Break or CarriageReturn:
                    builder.Append('\n');
                    break;
                case NoBreakHyphen:
                    builder.Append('-');
                    break;
            }
        }

        return builder.ToString();
    }

    private static int? HeadingLevel(Paragraph paragraph, IReadOnlyDictionary<string, int> styles)
    {
        var properties = paragraph.ParagraphProperties;
        var styleId = properties?.ParagraphStyleId?.Val?.Value;
        if (styleId is not null)
        {
            if (styles.TryGetValue(styleId, out var level))
            {
                return level;
            }

            if (LevelFromName(styleId) is { } fromId)
            {
                return fromId;
            }
        }

        // Outline levels are 0-based; 9 means body text.
        var outline = properties?.OutlineLevel?.Val?.Value;
        return outline is >= 0 and < 9 ? outline + 1 : null;
    }

    private static Dictionary<string, int> StyleHeadingLevels(StyleDefinitionsPart? part)
    {
        var levels = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var style in part?.Styles?.Elements<Style>() ?? [])
        {
            var id = style.StyleId?.Value;
            if (id is null)
            {
                continue;
            }

            var level = LevelFromName(style.StyleName?.Val?.Value ?? string.Empty) ?? LevelFromName(id);
            if (level is null && style.StyleParagraphProperties?.OutlineLevel?.Val?.Value is int outline and >= 0 and < 9)
            {
                level = outline + 1;
            }

            if (level is not null)
            {
                levels[id] = level.Value;
            }
        }

        return levels;
    }

    private static int? LevelFromName(string name)
    {
        if (name.Equals("Title", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        var match = HeadingStyleName().Match(name);
        return match.Success ? int.Parse(match.Groups[1].ValueSpan, provider: null) : null;
    }

    [GeneratedRegex(@"^heading\s*([1-9])$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeadingStyleName();
}
