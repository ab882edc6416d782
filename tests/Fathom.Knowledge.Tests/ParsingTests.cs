using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Fathom.Knowledge.Parsing;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Fathom.Knowledge.Tests;

public sealed class ParsingTests
{
    private static Task<ParsedDocument> Parse(string fileName, byte[] content, string? contentType = null) =>
        DocumentParsers.Default.ParseAsync(new MemoryStream(content), fileName, contentType, CancellationToken.None);

    private static Task<ParsedDocument> Parse(string fileName, string content) => Parse(fileName, Encoding.UTF8.GetBytes(content));

    [Fact]
    public async Task Plain_text_is_normalised_into_one_section()
    {
        var parsed = await Parse("notes.txt", "First   line\r\nsecond\tline\r\n\r\n\r\n\r\nNew paragraph\u0007 here.  ");

        var section = Assert.Single(parsed.Sections);
        Assert.Equal("First line\nsecond line\n\nNew paragraph here.", section.Text);
        Assert.Null(section.Page);
        Assert.Null(section.Heading);
    }

    [Fact]
    public async Task Markdown_headings_become_section_headings_and_syntax_is_removed()
    {
        const string markdown = """
            ---
            title: front matter is not text
            ---
            Preamble text.

            # Intro

            Fathom is **fast** and _small_. See [the docs](https://example.com/docs).

            ## Setup

            - install the *tool*
            - run `fathom migrate`

            ```bash
            echo hello
            ```

            # Usage

            | Key | Value |
            |-----|-------|
            | a   | 1     |
            """;

        var parsed = await Parse("guide.md", markdown);

        Assert.Equal([null, "Intro", "Intro > Setup", "Usage"], parsed.Sections.Select(s => s.Heading));
        Assert.Equal("Preamble text.", parsed.Sections[0].Text);
        Assert.Equal("Fathom is fast and small. See the docs.", parsed.Sections[1].Text);
        Assert.Equal("install the tool\nrun fathom migrate\n\necho hello", parsed.Sections[2].Text);
        Assert.Equal("Key | Value\na | 1", parsed.Sections[3].Text);
        var all = string.Join(" ", parsed.Sections.Select(s => s.Text));
        Assert.DoesNotContain("#", all, StringComparison.Ordinal);
        Assert.DoesNotContain("**", all, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", all, StringComparison.Ordinal);
        Assert.DoesNotContain("front matter", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_drops_scripts_and_styles_decodes_entities_and_keeps_headings()
    {
        const string html = """
            <!DOCTYPE html>
            <html><head><title>Page title</title>
            <style>body { color: red; } .x > p { }</style>
            <script>var secret = "<p>not text</p>"; if (a < b) {}</script>
            </head>
            <body>
            <!-- a comment -->
            <p>Intro &amp; overview with caf&eacute; and &#8220;quotes&#8221; &lt;tag&gt;.</p>
            <h1>Getting <em>started</em></h1>
            <p>First
               paragraph.</p><p>Second paragraph.</p>
            <h2>Install</h2>
            <ul><li>one</li><li>two</li></ul>
            <script type="module">document.write("also hidden")</script>
            <table><tr><th>Name</th><th>Size</th></tr><tr><td>a.txt</td><td>3 KB</td></tr></table>
            <h1>Next</h1><div>Tail with 1 < 2 comparison</div>
            </body></html>
            """;

        var parsed = await Parse("page.HTML", html);

        Assert.Equal([null, "Getting started", "Getting started > Install", "Next"], parsed.Sections.Select(s => s.Heading));
        Assert.Equal("Intro & overview with café and \u201Cquotes\u201D <tag>.", parsed.Sections[0].Text);
        Assert.Equal("First paragraph.\n\nSecond paragraph.", parsed.Sections[1].Text);
        Assert.Equal("one\ntwo\n\nName | Size\na.txt | 3 KB", parsed.Sections[2].Text);
        Assert.Equal("Tail with 1 < 2 comparison", parsed.Sections[3].Text);
        var all = string.Join(" ", parsed.Sections.Select(s => s.Text));
        Assert.DoesNotContain("secret", all, StringComparison.Ordinal);
        Assert.DoesNotContain("color", all, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Page title", all, StringComparison.Ordinal);
        Assert.DoesNotContain("comment", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf_gives_one_section_per_page_with_page_numbers_and_spaced_words()
    {
        var pdf = BuildPdf(["Fathom reads the first page of this report.", "The second page talks about chunking."]);

        var parsed = await Parse("report.pdf", pdf);

        Assert.Equal(2, parsed.Sections.Count);
        Assert.Equal(1, parsed.Sections[0].Page);
        Assert.Equal(2, parsed.Sections[1].Page);
        Assert.Contains("Fathom reads the first page of this report.", parsed.Sections[0].Text, StringComparison.Ordinal);
        Assert.Contains("The second page talks about chunking.", parsed.Sections[1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("chunking", parsed.Sections[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf_page_without_text_is_skipped_but_others_stay()
    {
        var pdf = BuildPdf(["Only page one has words.", ""]);

        var parsed = await Parse("report.pdf", pdf);

        var section = Assert.Single(parsed.Sections);
        Assert.Equal(1, section.Page);
    }

    [Fact]
    public async Task Corrupt_pdf_throws_readable_parse_exception()
    {
        var bytes = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> garbage without xref or trailer");

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => Parse("broken.pdf", bytes));

        Assert.StartsWith("The PDF could not be read:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docx_heading_styles_become_headings_and_tables_stay_readable()
    {
        var docx = BuildDocx(body =>
        {
            body.Append(StyledParagraph("Handbook", "Title"));
            body.Append(StyledParagraph("Onboarding", "Heading1"));
            body.Append(StyledParagraph("Welcome to the team.", null));
            body.Append(StyledParagraph("Accounts", "Heading2"));
            body.Append(new Paragraph(new Run(new Text("Ask IT for a laptop")), new Run(new Break()), new Run(new Text("and a badge."))));
            body.Append(new Table(new TableRow(Cell("Tool"), Cell("Owner")), new TableRow(Cell("Wiki"), Cell("Docs team"))));
            body.Append(StyledParagraph("Leaving", "Heading1"));
            body.Append(StyledParagraph("Return the badge.", null));
        });

        var parsed = await Parse("handbook.docx", docx);

        Assert.Equal(["Handbook > Onboarding", "Handbook > Onboarding > Accounts", "Handbook > Leaving"], parsed.Sections.Select(s => s.Heading));
        Assert.Equal("Welcome to the team.", parsed.Sections[0].Text);
        Assert.Equal("Ask IT for a laptop\nand a badge.\n\nTool | Owner\nWiki | Docs team", parsed.Sections[1].Text);
        Assert.Equal("Return the badge.", parsed.Sections[2].Text);
    }

    [Fact]
    public async Task Docx_text_is_what_Word_shows_not_field_codes_deleted_revisions_or_tab_stops()
    {
        var docx = BuildDocx(body =>
        {
            // A tab stop is defined in the paragraph's properties; only the run's tab is a character.
            body.Append(new Paragraph(
                new ParagraphProperties(new Tabs(new TabStop { Val = TabStopValues.Left, Position = 720 })),
                new Run(new Text("Name")), new Run(new TabChar()), new Run(new Text("Role"))));
            body.Append(new Paragraph(
                new Run(new Text("See page ")),
                new Run(new FieldChar { FieldCharType = FieldCharValues.Begin }),
                new Run(new FieldCode(" PAGEREF _Toc123 \\h ")),
                new Run(new FieldChar { FieldCharType = FieldCharValues.Separate }),
                new Run(new Text("7")),
                new Run(new FieldChar { FieldCharType = FieldCharValues.End }),
                new DeletedRun(new Run(new DeletedText("an old sentence"))),
                new Run(new Text(" for e")), new Run(new NoBreakHyphen()), new Run(new Text("mail."))));
            // A content control (as a template's placeholder) around a heading and a paragraph.
            body.Append(new SdtBlock(new SdtContentBlock(StyledParagraph("Inside a control", "Heading1"), StyledParagraph("Filled in.", null))));
        });

        // The parser itself, before normalisation turns tabs into spaces.
        var parsed = await new DocxParser().ParseAsync(new MemoryStream(docx), CancellationToken.None);

        Assert.Equal("Name\tRole\n\nSee page 7 for e-mail.", parsed.Sections[0].Text.TrimEnd());
        Assert.Equal("Inside a control", parsed.Sections[1].Heading);
        Assert.Equal("Filled in.", parsed.Sections[1].Text.TrimEnd());
    }

    [Fact]
    public async Task A_spreadsheet_named_docx_is_refused_as_not_a_word_document()
    {
        using var stream = new MemoryStream();
        using (var workbook = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            workbook.AddWorkbookPart().Workbook = new DocumentFormat.OpenXml.Spreadsheet.Workbook();
        }

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => Parse("budget.docx", stream.ToArray()));

        Assert.Equal("The Word document could not be read: the file is damaged or is not a .docx file.", error.Message);
    }

    [Fact]
    public async Task Docx_headings_come_from_outline_levels_when_a_style_has_no_heading_name()
    {
        var docx = BuildDocx(body =>
        {
            var chapter = StyledParagraph("Chapter one", null);
            chapter.PrependChild(new ParagraphProperties(new OutlineLevel { Val = 0 }));
            body.Append(chapter);
            body.Append(StyledParagraph("It begins.", null));
            body.Append(StyledParagraph("Custom heading", "ChapterTitle"));
            body.Append(StyledParagraph("It goes on.", null));
        }, new Style(new StyleName { Val = "Chapter Title" }, new StyleParagraphProperties(new OutlineLevel { Val = 1 })) { Type = StyleValues.Paragraph, StyleId = "ChapterTitle" });

        var parsed = await Parse("outline.docx", docx);

        Assert.Equal(["Chapter one", "Chapter one > Custom heading"], parsed.Sections.Select(s => s.Heading));
        Assert.Equal(["It begins.", "It goes on."], parsed.Sections.Select(s => s.Text));
    }

    [Fact]
    public async Task Corrupt_docx_throws_readable_parse_exception()
    {
        var error = await Assert.ThrowsAsync<DocumentParseException>(() => Parse("broken.docx", Encoding.ASCII.GetBytes("PK\u0003\u0004 this is not a zip")));

        Assert.StartsWith("The Word document could not be read:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_docx_that_unzips_past_the_limit_fails_before_it_is_inflated()
    {
        // 3 MB of one letter compresses to a few kilobytes: the shape of a decompression bomb, at test size.
        var bomb = BuildDocx(body => body.Append(new Paragraph(new Run(new Text(new string('a', 3_000_000))))));
        var parsers = DocumentParsers.Create(new ParsingLimits { MaxExpandedBytes = 1024 * 1024 });

        var error = await Assert.ThrowsAsync<DocumentTooLargeException>(() => parsers.ParseAsync(new MemoryStream(bomb), "bomb.docx", null, CancellationToken.None));

        Assert.True(bomb.Length < 100_000, $"the test file should be small ({bomb.Length} bytes)");
        Assert.Contains("past the limit of 1 MB (Ingestion__MaxExpandedBytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_past_the_character_limit_fails_with_the_limit_named_in_every_format()
    {
        var parsers = DocumentParsers.Create(new ParsingLimits { MaxTextCharacters = 5_000 });
        var words = string.Join(' ', Enumerable.Repeat("walrus", 1_500));
        var files = new (string Name, byte[] Content)[]
        {
            ("big.txt", Encoding.UTF8.GetBytes(words)),
            ("big.md", Encoding.UTF8.GetBytes("# Title\n\n" + words)),
            ("big.html", Encoding.UTF8.GetBytes($"<p>{words}</p>")),
            ("big.docx", BuildDocx(body => body.Append(new Paragraph(new Run(new Text(words)))))),
            ("big.pdf", BuildPdf(Enumerable.Repeat(string.Join(' ', Enumerable.Repeat("walrus", 60)), 20).ToList())),
        };

        foreach (var (name, content) in files)
        {
            var error = await Assert.ThrowsAsync<DocumentTooLargeException>(() => parsers.ParseAsync(new MemoryStream(content), name, null, CancellationToken.None));
            Assert.Contains("past the limit of 5,000 (Ingestion__MaxTextCharacters)", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_pdf_with_more_pages_than_allowed_fails_with_the_limit_named()
    {
        var parsers = DocumentParsers.Create(new ParsingLimits { MaxPages = 2 });

        var error = await Assert.ThrowsAsync<DocumentTooLargeException>(() => parsers.ParseAsync(new MemoryStream(BuildPdf(["one", "two", "three"])), "long.pdf", null, CancellationToken.None));

        Assert.Equal("The PDF has 3 pages, past the limit of 2 (Ingestion__MaxPages). Split it into smaller files.", error.Message);
    }

    [Fact]
    public async Task Csv_rows_stay_on_their_own_lines()
    {
        var parsed = await Parse("people.csv", "name,city\nAlice,Paris\nBob,Berlin\n");

        Assert.Equal("name,city\nAlice,Paris\nBob,Berlin", Assert.Single(parsed.Sections).Text);
    }

    [Fact]
    public async Task Json_becomes_path_value_lines_with_records_as_paragraphs()
    {
        var parsed = await Parse("people.json", """[{"name":"Alice","address":{"city":"Paris"},"tags":["admin","ops"],"active":true,"age":41,"note":null},{"name":"Bob"}]""");

        Assert.Equal(
            "[0].name: Alice\n[0].address.city: Paris\n[0].tags[0]: admin\n[0].tags[1]: ops\n[0].active: true\n[0].age: 41\n\n[1].name: Bob",
            Assert.Single(parsed.Sections).Text);
    }

    [Fact]
    public async Task Invalid_json_throws_readable_parse_exception()
    {
        var error = await Assert.ThrowsAsync<DocumentParseException>(() => Parse("data.json", "{\"a\": [1, 2,\n"));

        Assert.StartsWith("The JSON file could not be read: it is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty.txt", "")]
    [InlineData("blank.txt", "  \r\n\t \n ")]
    [InlineData("headings-only.md", "# Title\n\n## Sub\n")]
    [InlineData("script-only.html", "<html><script>alert(1)</script></html>")]
    [InlineData("nulls.json", "{\"a\": null, \"b\": \"\"}")]
    public async Task Document_without_text_throws_no_text_error(string fileName, string content)
    {
        var error = await Assert.ThrowsAsync<DocumentParseException>(() => Parse(fileName, content));

        Assert.Equal("The document contains no text.", error.Message);
    }

    [Fact]
    public async Task Empty_pdf_throws_no_text_error()
    {
        var error = await Assert.ThrowsAsync<DocumentParseException>(() => Parse("scan.pdf", BuildPdf(["", ""])));

        Assert.Equal("The document contains no text.", error.Message);
    }

    [Fact]
    public async Task Binary_file_named_txt_is_rejected()
    {
        var bytes = new byte[512];
        bytes[0] = 0x7F;
        bytes[1] = (byte)'E';

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => Parse("program.txt", bytes));

        Assert.Contains("binary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_extension_is_rejected_with_the_supported_list()
    {
        var error = await Assert.ThrowsAsync<UnsupportedDocumentTypeException>(() => Parse("photo.PNG", [1, 2, 3]));

        Assert.Equal("Files of type '.png' are not supported. Supported types: .txt .md .markdown .html .htm .pdf .docx .csv .json.", error.Message);
    }

    [Fact]
    public void Parser_is_chosen_by_lowercased_extension_then_content_type()
    {
        var parsers = DocumentParsers.Default;

        Assert.IsType<PdfParser>(parsers.Find("REPORT.PDF"));
        Assert.IsType<MarkdownParser>(parsers.Find("readme.Md", "text/plain"));
        Assert.IsType<HtmlParser>(parsers.Find("post-title", "text/html; charset=utf-8"));
        Assert.Null(parsers.Find("archive.zip", "application/zip"));
        Assert.False(parsers.IsSupported("archive.zip"));
    }

    [Fact]
    public void The_supported_types_an_upload_is_checked_against_are_exactly_what_the_parsers_accept()
    {
        Assert.Equal(DocumentParsers.Default.Extensions.Order(StringComparer.Ordinal), SupportedDocumentTypes.Extensions.Order(StringComparer.Ordinal));
        Assert.True(SupportedDocumentTypes.IsSupported("REPORT.PDF"));
        Assert.False(SupportedDocumentTypes.IsSupported("archive.zip"));
        Assert.False(SupportedDocumentTypes.IsSupported("no-extension"));
    }

    [Fact]
    public async Task Latin1_text_file_is_decoded()
    {
        var parsed = await Parse("legacy.txt", Encoding.Latin1.GetBytes("Caf\u00E9 cr\u00E8me"));

        Assert.Equal("Caf\u00E9 cr\u00E8me", Assert.Single(parsed.Sections).Text);
    }

    internal static byte[] BuildPdf(IReadOnlyList<string> pages)
    {
        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var text in pages)
        {
            var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
            if (text.Length > 0)
            {
                page.AddText(text, 12, new PdfPoint(50, 700), font);
            }
        }

        return builder.Build();
    }

    private static byte[] BuildDocx(Action<Body> fill, params Style[] extraStyles)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var styles = main.AddNewPart<StyleDefinitionsPart>();
            // As Word writes them: the id has no space, the name is lowercase with one.
            styles.Styles = new Styles(
                HeadingStyle("Title", "Title"),
                HeadingStyle("Heading1", "heading 1"),
                HeadingStyle("Heading2", "heading 2"));
            styles.Styles.Append(extraStyles);
            var body = new Body();
            fill(body);
            main.Document = new Document(body);
        }

        return stream.ToArray();
    }

    private static Style HeadingStyle(string id, string name) =>
        new(new StyleName { Val = name }) { Type = StyleValues.Paragraph, StyleId = id };

    private static Paragraph StyledParagraph(string text, string? styleId)
    {
        var paragraph = new Paragraph(new Run(new Text(text)));
        if (styleId is not null)
        {
            paragraph.PrependChild(new ParagraphProperties(new ParagraphStyleId { Val = styleId }));
        }

        return paragraph;
    }

    private static TableCell Cell(string text) => new(new Paragraph(new Run(new Text(text))));
}
