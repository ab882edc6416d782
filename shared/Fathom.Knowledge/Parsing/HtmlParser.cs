using System.Collections.Frozen;
using System.Net;
using System.Text;

namespace Fathom.Knowledge.Parsing;

/// <summary>
/// HTML to text with a tolerant single-pass scanner (no DOM): drops scripts, styles and other
/// non-content elements, keeps h1–h6 as section headings, breaks blocks at block-level tags and
/// decodes entities. Unclosed tags, stray '&lt;' and broken comments do not stop it.
/// </summary>
public sealed class HtmlParser : IDocumentParser
{
    // Raw-text elements: everything up to the closing tag is content, not markup, and never shown as page text.
    // Browsers run an unclosed <script> to the end of the file; so does this scanner.
    private static readonly FrozenSet<string> RawTextElements = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "script", "style", "title", "textarea");

    // Elements whose content is not page text; when their closing tag is missing only the tag itself is dropped.
    private static readonly FrozenSet<string> HiddenElements = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "noscript", "template", "svg", "math", "iframe", "object", "canvas", "select");

    private static readonly FrozenSet<string> BlockElements = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "blockquote", "pre", "hr",
        "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "figure", "figcaption", "form", "fieldset", "address",
        "details", "summary", "caption", "body", "html", "center");

    private static readonly FrozenSet<string> LineElements = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "li", "tr", "dt", "dd", "option");

    public IReadOnlyList<string> Extensions { get; } = [".html", ".htm"];

    public IReadOnlyList<string> ContentTypes { get; } = ["text/html", "application/xhtml+xml"];

    public async Task<ParsedDocument> ParseAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await TextFileDecoder.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        var html = TextFileDecoder.Decode(bytes, "HTML file");
        var sections = new SectionCollector();
        new Scanner(html, sections).Run(cancellationToken);
        return sections.Build();
    }

    /// <summary>The visible text of an HTML fragment, headings included as plain lines.</summary>
    public static string ExtractText(string html)
    {
        var sections = new SectionCollector();
        new Scanner(html, sections, headingsAsText: true).Run(CancellationToken.None);
        return string.Join("\n\n", sections.Build().Sections.Select(s => s.Text.Trim()));
    }

    private sealed class Scanner(string html, SectionCollector sections, bool headingsAsText = false)
    {
        private readonly StringBuilder _inline = new();
        private readonly StringBuilder _heading = new();
        private int _position;
        private int _headingLevel; // 0 while not inside h1–h6
        private int _preDepth;

        public void Run(CancellationToken cancellationToken)
        {
            while (_position < html.Length)
            {
                if ((_position & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var lt = html.IndexOf('<', _position);
                if (lt < 0)
                {
                    AppendText(html.AsSpan(_position));
                    break;
                }

                AppendText(html.AsSpan(_position, lt - _position));
                _position = lt;
                ReadMarkup();
            }

            EndHeading();
            FlushBlock(asLine: false);
        }

        private void ReadMarkup()
        {
            var rest = html.AsSpan(_position);
            if (rest.StartsWith("<!--", StringComparison.Ordinal))
            {
                var end = html.IndexOf("-->", _position + 4, StringComparison.Ordinal);
                _position = end < 0 ? html.Length : end + 3;
                return;
            }

            if (rest.Length > 1 && (rest[1] == '!' || rest[1] == '?'))
            {
                var end = html.IndexOf('>', _position);
                _position = end < 0 ? html.Length : end + 1;
                return;
            }

            var closing = rest.Length > 1 && rest[1] == '/';
            var nameStart = _position + (closing ? 2 : 1);
            var nameEnd = nameStart;
            while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] is '-' or ':'))
            {
                nameEnd++;
            }

            if (nameEnd == nameStart || !char.IsAsciiLetter(html[nameStart]))
            {
                // A stray '<' as in "a < b": it is text.
                AppendText("<");
                _position++;
                return;
            }

            var name = html[nameStart..nameEnd];
            _position = TagEnd(nameEnd);
            if (closing)
            {
                CloseTag(name);
            }
            else
            {
                OpenTag(name, selfClosing: html[_position - 2] == '/');
            }
        }

        // The index after the tag's '>', skipping '>' inside quoted attribute values.
        private int TagEnd(int from)
        {
            char? quote = null;
            for (var i = from; i < html.Length; i++)
            {
                var c = html[i];
                if (quote is not null)
                {
                    if (c == quote)
                    {
                        quote = null;
                    }
                }
                else if (c is '"' or '\'')
                {
                    quote = c;
                }
                else if (c == '>')
                {
                    return i + 1;
                }
            }

            return html.Length;
        }

        private void OpenTag(string name, bool selfClosing)
        {
            var rawText = RawTextElements.Contains(name);
            if (rawText || HiddenElements.Contains(name))
            {
                if (!selfClosing)
                {
                    var end = html.IndexOf("</" + name, _position, StringComparison.OrdinalIgnoreCase);
                    if (end >= 0)
                    {
                        _position = TagEnd(end + 2 + name.Length);
                    }
                    else if (rawText)
                    {
                        _position = html.Length;
                    }
                }

                return;
            }

            if (HeadingLevel(name) is { } level)
            {
                EndHeading();
                FlushBlock(asLine: false);
                _headingLevel = level;
                return;
            }

            switch (name.ToLowerInvariant())
            {
                case "br":
                    (_headingLevel > 0 ? _heading : _inline).Append('\n');
                    return;
                case "td" or "th":
                    _inline.Append(" | ");
                    return;
                case "img":
                    return;
                case "pre":
                    FlushBlock(asLine: false);
                    _preDepth++;
                    return;
            }

            if (BlockElements.Contains(name))
            {
                EndHeading();
                FlushBlock(asLine: false);
            }
            else if (LineElements.Contains(name))
            {
                EndHeading();
                FlushBlock(asLine: true);
            }
        }

        private void CloseTag(string name)
        {
            if (HeadingLevel(name) is not null)
            {
                EndHeading();
                return;
            }

            if (name.Equals("pre", StringComparison.OrdinalIgnoreCase))
            {
                FlushBlock(asLine: false);
                _preDepth = Math.Max(0, _preDepth - 1);
                return;
            }

            if (LineElements.Contains(name))
            {
                FlushBlock(asLine: true);
            }
            else if (BlockElements.Contains(name))
            {
                FlushBlock(asLine: false);
            }
        }

        private void AppendText(ReadOnlySpan<char> raw)
        {
            if (raw.IsEmpty)
            {
                return;
            }

            var text = raw.Contains('&') ? WebUtility.HtmlDecode(raw.ToString()) : raw.ToString();
            var target = _headingLevel > 0 ? _heading : _inline;
            if (_preDepth > 0)
            {
                target.Append(text);
                return;
            }

            // Outside <pre>, source line breaks and indentation are just spaces.
            foreach (var c in text)
            {
                target.Append(char.IsWhiteSpace(c) && c != '\u00A0' ? ' ' : c);
            }
        }

        private void EndHeading()
        {
            if (_headingLevel == 0)
            {
                return;
            }

            var text = _heading.ToString().Trim();
            if (headingsAsText)
            {
                sections.Block(text);
            }
            else
            {
                sections.Heading(_headingLevel, text);
            }

            _heading.Clear();
            _headingLevel = 0;
        }

        private void FlushBlock(bool asLine)
        {
            var text = CleanCells(_inline.ToString());
            _inline.Clear();
            if (asLine)
            {
                sections.Line(text);
            }
            else
            {
                sections.EndBlock();
                sections.Block(text);
            }
        }

        // Table rows are written as " | a | b"; drop the leading separator and empty cells.
        private static string CleanCells(string text)
        {
            if (!text.Contains(" | ", StringComparison.Ordinal))
            {
                return text.Trim();
            }

            var cells = text.Split(" | ").Select(c => c.Trim()).Where(c => c.Length > 0);
            return string.Join(" | ", cells);
        }

        private static int? HeadingLevel(string name) =>
            name.Length == 2 && (name[0] is 'h' or 'H') && name[1] is >= '1' and <= '6' ? name[1] - '0' : null;
    }
}
