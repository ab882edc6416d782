using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Fathom.Knowledge.Parsing;

/// <summary>Markdown: headings become section headings; the text keeps no markdown syntax (no #, *, links show their text).</summary>
public sealed class MarkdownParser : IDocumentParser
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().UseYamlFrontMatter().Build();

    public IReadOnlyList<string> Extensions { get; } = [".md", ".markdown"];

    public IReadOnlyList<string> ContentTypes { get; } = ["text/markdown", "text/x-markdown"];

    public async Task<ParsedDocument> ParseAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await TextFileDecoder.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        var markdown = TextFileDecoder.Decode(bytes, "Markdown file");
        var document = Markdown.Parse(markdown, Pipeline);
        var sections = new SectionCollector();
        foreach (var block in document)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Visit(block, sections);
        }

        return sections.Build();
    }

    private static void Visit(Block block, SectionCollector sections)
    {
        switch (block)
        {
            case YamlFrontMatterBlock:
            case ThematicBreakBlock:
            case LinkReferenceDefinitionGroup:
                break;
            case HeadingBlock heading:
                sections.Heading(heading.Level, InlineText(heading.Inline));
                break;
            case ParagraphBlock paragraph:
                sections.Block(InlineText(paragraph.Inline));
                break;
            case CodeBlock code:
                // Code keeps its lines; fenced and indented blocks alike.
                foreach (var line in code.Lines.ToString().Split('\n'))
                {
                    sections.Line(line);
                }

                sections.EndBlock();
                break;
            case HtmlBlock html:
                sections.Block(HtmlParser.ExtractText(html.Lines.ToString()));
                break;
            case Table table:
                foreach (var row in table.OfType<TableRow>())
                {
                    var cells = row.OfType<TableCell>()
                        .Select(cell => string.Join(' ', cell.OfType<ParagraphBlock>().Select(p => InlineText(p.Inline))).Trim())
                        .Where(cell => cell.Length > 0);
                    sections.Line(string.Join(" | ", cells));
                }

                sections.EndBlock();
                break;
            case ListBlock list:
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    VisitListItem(item, sections);
                }

                sections.EndBlock();
                break;
            case ContainerBlock container:
                foreach (var child in container)
                {
                    Visit(child, sections);
                }

                break;
            case LeafBlock leaf:
                sections.Block(leaf.Inline is null ? leaf.Lines.ToString() : InlineText(leaf.Inline));
                break;
        }
    }

    // List items become lines of one block so that a list stays together when chunked.
    private static void VisitListItem(ListItemBlock item, SectionCollector sections)
    {
        foreach (var child in item)
        {
            switch (child)
            {
                case ParagraphBlock paragraph:
                    sections.Line(InlineText(paragraph.Inline));
                    break;
                case ListBlock nested:
                    foreach (var nestedItem in nested.OfType<ListItemBlock>())
                    {
                        VisitListItem(nestedItem, sections);
                    }

                    break;
                default:
                    Visit(child, sections);
                    break;
            }
        }
    }

    private static string InlineText(ContainerInline? inline)
    {
        if (inline is null)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        AppendInline(builder, inline);
        return builder.ToString();
    }

    private static void AppendInline(StringBuilder builder, Inline inline)
    {
        switch (inline)
        {
            case LiteralInline literal:
                builder.Append(literal.Content.AsSpan());
                break;
            case CodeInline code:
                builder.Append(code.Content);
                break;
            case LineBreakInline:
                builder.Append(' ');
                break;
            case HtmlEntityInline entity:
                builder.Append(entity.Transcoded.AsSpan());
                break;
            case AutolinkInline autolink:
                builder.Append(autolink.Url);
                break;
            case HtmlInline:
                break; // inline tags like <br> or <span>: markup, not text
            case ContainerInline container:
                foreach (var child in container)
                {
                    AppendInline(builder, child);
                }

                break;
        }
    }
}
