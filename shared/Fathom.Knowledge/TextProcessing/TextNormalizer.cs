using System.Text;

namespace Fathom.Knowledge.TextProcessing;

/// <summary>
/// Brings extracted text into one canonical shape before chunking and embedding: Unicode NFC,
/// no control or invisible formatting characters, single spaces, single line breaks, and at most
/// one blank line between paragraphs. Chunk boundaries and idempotent re-ingestion depend on it.
/// </summary>
public static class TextNormalizer
{
    /// <summary>Normalises <paramref name="text"/>; returns an empty string for null or blank input.</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        // Lone surrogates (broken PDFs and DOCX files have them) become U+FFFD first.
        // CanonicalComposition, not string.Normalize: the latter does not compose under InvariantGlobalization.
        var composed = CanonicalComposition.ToNfc(ReplaceLoneSurrogates(text));
        return CollapseWhitespace(composed);
    }

    private static string ReplaceLoneSurrogates(string text)
    {
        StringBuilder? builder = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var lone = char.IsHighSurrogate(c)
                ? i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])
                : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1]));
            if (lone)
            {
                builder ??= new StringBuilder(text, 0, i, text.Length);
                builder.Append('\uFFFD');
            }
            else
            {
                builder?.Append(c);
            }
        }

        return builder?.ToString() ?? text;
    }

    private static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        var pendingNewlines = 0;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            // \r\n counts as one line break, a lone \r (old Mac files) as one too.
            var kind = c == '\r'
                ? (i + 1 < text.Length && text[i + 1] == '\n' ? CharKind.Drop : CharKind.LineBreak)
                : Classify(c);
            switch (kind)
            {
                case CharKind.Drop:
                    continue;
                case CharKind.Space:
                    pendingSpace = true;
                    continue;
                case CharKind.LineBreak:
                    pendingNewlines++;
                    continue;
                case CharKind.ParagraphBreak:
                    pendingNewlines += 2;
                    continue;
            }

            if (builder.Length > 0)
            {
                if (pendingNewlines > 0)
                {
                    builder.Append(pendingNewlines > 1 ? "\n\n" : "\n");
                }
                else if (pendingSpace)
                {
                    builder.Append(' ');
                }
            }

            pendingSpace = false;
            pendingNewlines = 0;
            builder.Append(c);
        }

        return builder.ToString();
    }

    private static CharKind Classify(char c) => c switch
    {
        '\n' or '\v' or '\u2028' or '\u0085' => CharKind.LineBreak,
        // A form feed is a page break in plain-text exports; \u2029 is an explicit paragraph separator.
        '\f' or '\u2029' => CharKind.ParagraphBreak,
        // Zero-width space, BOM, soft hyphen and word joiner carry no text and split words in search.
        '\u200B' or '\uFEFF' or '\u00AD' or '\u2060' => CharKind.Drop,
        _ when char.IsWhiteSpace(c) => CharKind.Space,
        _ when char.IsControl(c) => CharKind.Drop,
        _ => CharKind.Text,
    };

    private enum CharKind
    {
        Text,
        Space,
        LineBreak,
        ParagraphBreak,
        Drop,
    }
}
