using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

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
            using var package = WordPackage.Open(stream, limits.MaxExpandedBytes);
            var document = package.Document();
            var w = new Word(document.Name.Namespace);
            var body = document.Element(w.Body)
                ?? throw new DocumentParseException("The Word document could not be read: it has no document body.");
            var styles = StyleHeadingLevels(package.Styles(), w);
            var sections = new SectionCollector(limits);
            foreach (var element in body.Elements())
            {
                cancellationToken.ThrowIfCancellationRequested();
                Visit(element, sections, styles, w);
            }

            return sections.Build();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DocumentParseException)
        {
            throw new DocumentParseException("The Word document could not be read: the file is damaged or is not a .docx file.", ex);
        }
    }

    /// <summary>The WordprocessingML names this parser reads, in the document's own namespace (transitional or strict); made once per document, not per node.</summary>
    private sealed class Word(XNamespace ns)
    {
        public readonly XName Body = ns + "body";
        public readonly XName P = ns + "p";
        public readonly XName Tbl = ns + "tbl";
        public readonly XName Tr = ns + "tr";
        public readonly XName Tc = ns + "tc";
        public readonly XName Sdt = ns + "sdt";
        public readonly XName SdtContent = ns + "sdtContent";
        public readonly XName PPr = ns + "pPr";
        public readonly XName PStyle = ns + "pStyle";
        public readonly XName OutlineLvl = ns + "outlineLvl";
        public readonly XName Style = ns + "style";
        public readonly XName StyleId = ns + "styleId";
        public readonly XName Name = ns + "name";
        public readonly XName Val = ns + "val";
        public readonly XName T = ns + "t";
        public readonly XName Tab = ns + "tab";
        public readonly XName Tabs = ns + "tabs";
        public readonly XName Br = ns + "br";
        public readonly XName Cr = ns + "cr";
        public readonly XName NoBreakHyphen = ns + "noBreakHyphen";
    }

    private static void Visit(XElement element, SectionCollector sections, IReadOnlyDictionary<string, int> styles, Word w)
    {
        if (element.Name == w.P)
        {
            var text = ParagraphText(element, w);
            if (HeadingLevel(element, styles, w) is { } level)
            {
                sections.Heading(level, text);
            }
            else
            {
                sections.Block(text);
            }
        }
        else if (element.Name == w.Tbl)
        {
            foreach (var row in element.Elements(w.Tr))
            {
                var cells = row.Elements(w.Tc)
                    .Select(cell => string.Join(' ', cell.Descendants(w.P).Select(p => ParagraphText(p, w))).Trim())
                    .Where(cell => cell.Length > 0);
                sections.Line(string.Join(" | ", cells));
            }

            sections.EndBlock();
        }
        else if (element.Name == w.Sdt)
        {
            foreach (var child in element.Element(w.SdtContent)?.Elements() ?? [])
            {
                Visit(child, sections, styles, w);
            }
        }
    }

    // Only text runs count: field codes (instrText, "PAGEREF _Toc123") and deleted revisions (delText) are other
    // elements, and a tab inside pPr/tabs is a tab stop, not a tab character.
    private static string ParagraphText(XElement paragraph, Word w)
    {
        var builder = new StringBuilder();
        foreach (var node in paragraph.Descendants())
        {
            if (node.Name == w.T)
            {
                builder.Append(node.Value);
            }
            else if (node.Name == w.Tab && node.Parent?.Name != w.Tabs)
            {
                builder.Append('\t');
            }
            else if (node.Name == w.Br || node.Name == w.Cr)
            {
                builder.Append('\n');
            }
            else if (node.Name == w.NoBreakHyphen)
            {
                builder.Append('-');
            }
        }

        return builder.ToString();
    }

    private static int? HeadingLevel(XElement paragraph, IReadOnlyDictionary<string, int> styles, Word w)
    {
        var properties = paragraph.Element(w.PPr);
        var styleId = (string?)properties?.Element(w.PStyle)?.Attribute(w.Val);
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
        var outline = OutlineLevel(properties, w);
        return outline is >= 0 and < 9 ? outline + 1 : null;
    }

    private static int? OutlineLevel(XElement? properties, Word w)
        => int.TryParse((string?)properties?.Element(w.OutlineLvl)?.Attribute(w.Val), NumberStyles.Integer, CultureInfo.InvariantCulture, out var level) ? level : null;

    private static Dictionary<string, int> StyleHeadingLevels(XElement? styles, Word w)
    {
        var levels = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var style in styles?.Elements(w.Style) ?? [])
        {
            var id = (string?)style.Attribute(w.StyleId);
            if (id is null)
            {
                continue;
            }

            var level = LevelFromName((string?)style.Element(w.Name)?.Attribute(w.Val) ?? string.Empty) ?? LevelFromName(id);
            if (level is null && OutlineLevel(style.Element(w.PPr), w) is int outline and >= 0 and < 9)
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
