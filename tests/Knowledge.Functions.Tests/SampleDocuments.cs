using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Knowledge.Functions.Tests;

/// <summary>Real files of each accepted format, made in the test.</summary>
internal static class SampleDocuments
{
    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Pdf(params string[] pages)
    {
        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var text in pages)
        {
            var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
            page.AddText(text, 12, new PdfPoint(50, 700), font);
        }
        return builder.Build();
    }

    public static byte[] Docx(string heading, string body)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var styles = main.AddNewPart<StyleDefinitionsPart>();
            styles.Styles = new Styles(new Style(new StyleName { Val = "heading 1" }) { Type = StyleValues.Paragraph, StyleId = "Heading1" });
            main.Document = new Document(new Body(
                new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = "Heading1" }), new Run(new Text(heading))),
                new Paragraph(new Run(new Text(body)))));
        }
        return stream.ToArray();
    }

    /// <summary>A long document: many short numbered paragraphs, so it makes many chunks.</summary>
    public static byte[] Long(int paragraphs)
    {
        var text = new StringBuilder();
        for (var i = 0; i < paragraphs; i++)
        {
            text.Append("Paragraph ").Append(i).Append(" talks about lighthouse keeper number ").Append(i)
                .Append(" who logged the weather, trimmed the wick and watched ships pass the reef at night.\n\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
