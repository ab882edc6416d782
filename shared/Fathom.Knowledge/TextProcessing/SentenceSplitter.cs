using System.Collections.Frozen;

namespace Fathom.Knowledge.TextProcessing;

/// <summary>
/// Splits normalised text into sentences with a rule set that is good enough for European
/// languages and CJK full stops: a terminal mark followed by whitespace ends a sentence unless the
/// word before it is a known abbreviation or a single-letter initial; a blank line always does.
/// </summary>
public static class SentenceSplitter
{
    private static readonly FrozenSet<string> Abbreviations = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "e.g", "i.e", "cf", "vs", "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "no", "fig", "approx", "inc", "ltd", "co", "corp", "dept", "est", "ca", "al");

    /// <summary>The sentences of <paramref name="text"/>, trimmed, with line breaks inside a sentence turned into spaces.</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        var sentences = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return sentences;
        }

        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var paragraphBreak = text[i] == '\n' && i + 1 < text.Length && text[i + 1] == '\n';
            if (paragraphBreak || IsSentenceEnd(text, i))
            {
                Add(sentences, text.AsSpan(start, i + 1 - start));
                start = i + 1;
            }
        }

        Add(sentences, text.AsSpan(start));
        return sentences;
    }

    /// <summary>
    /// True when the character at <paramref name="index"/> closes a sentence: a terminal mark (or a
    /// closing quote or bracket after one) that is followed by whitespace or the end of the text.
    /// </summary>
    public static bool IsSentenceEnd(string text, int index)
    {
        if (index < 0 || index >= text.Length)
        {
            return false;
        }

        if (index + 1 < text.Length && !char.IsWhiteSpace(text[index + 1]))
        {
            return false;
        }

        var mark = index;
        while (mark > 0 && IsClosing(text[mark]))
        {
            mark--;
        }

        return text[mark] switch
        {
            '!' or '?' or '…' or '。' or '！' or '？' => true,
            '.' => !EndsWithAbbreviation(text, mark),
            _ => false,
        };
    }

    private static bool IsClosing(char c) => c is '"' or '\'' or ')' or ']' or '’' or '”' or '»';

    private static bool EndsWithAbbreviation(string text, int periodIndex)
    {
        var wordStart = periodIndex;
        while (wordStart > 0 && !char.IsWhiteSpace(text[wordStart - 1]) && text[wordStart - 1] != '(')
        {
            wordStart--;
        }

        var word = text.AsSpan(wordStart, periodIndex - wordStart);
        if (word.Length == 1 && char.IsUpper(word[0]))
        {
            return true; // an initial, as in "J. R. Smith"
        }

        return Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
    }

    private static void Add(List<string> sentences, ReadOnlySpan<char> candidate)
    {
        var trimmed = candidate.Trim();
        if (!trimmed.IsEmpty)
        {
            sentences.Add(trimmed.ToString().Replace('\n', ' '));
        }
    }
}
