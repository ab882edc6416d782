using System.Collections.Frozen;

namespace Fathom.Knowledge.TextProcessing;

/// <summary>
/// Turns a query into the terms used for highlighting and extractive answers, and compares words
/// with a light suffix-stripping stem so that "index" also matches "indexes" and "indexing".
/// </summary>
public static class SearchTerms
{
    /// <summary>Common English function words: they match everywhere and would drown real matches.</summary>
    public static FrozenSet<string> StopWords { get; } = FrozenSet.Create(
        StringComparer.Ordinal,
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does",
        "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my",
        "of", "on", "or", "our", "should", "so", "that", "the", "their", "them", "then", "there", "these",
        "they", "this", "those", "to", "was", "we", "were", "what", "when", "where", "which", "who", "whom",
        "why", "will", "with", "would", "you", "your", "about", "than", "not", "no", "any", "some", "all");

    /// <summary>Distinct lowercase words of <paramref name="query"/>, stop words removed, in order of first use.</summary>
    public static IReadOnlyList<string> Extract(string? query)
    {
        var terms = new List<string>();
        if (string.IsNullOrWhiteSpace(query))
        {
            return terms;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var range in Words(query))
        {
            var word = query[range].ToLowerInvariant();
            if (!StopWords.Contains(word) && seen.Add(word))
            {
                terms.Add(word);
            }
        }

        return terms;
    }

    /// <summary>Ranges of the words (runs of letters, digits and inner apostrophes) of <paramref name="text"/>.</summary>
    public static IEnumerable<Range> Words(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i]))
            {
                i++;
            }

            var start = i;
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || IsInnerJoiner(text, i)))
            {
                i++;
            }

            if (i > start)
            {
                yield return start..i;
            }
        }
    }

    /// <summary>A crude English stem: lowercase, then one common inflection suffix removed when at least three letters remain.</summary>
    public static string Stem(ReadOnlySpan<char> word)
    {
        Span<char> lower = word.Length <= 128 ? stackalloc char[word.Length] : new char[word.Length];
        word.ToLowerInvariant(lower);
        ReadOnlySpan<char> stem = lower;
        foreach (var suffix in (ReadOnlySpan<string>)["ing", "ies", "es", "ed", "ly", "s"])
        {
            if (stem.Length - suffix.Length >= 3 && stem.EndsWith(suffix, StringComparison.Ordinal) && !stem.EndsWith("ss", StringComparison.Ordinal))
            {
                stem = stem[..^suffix.Length];
                break;
            }
        }

        return stem.ToString();
    }

    // Apostrophes and hyphens inside a word ("don't", "e-mail") keep it one word.
    private static bool IsInnerJoiner(string text, int i) =>
        text[i] is '\'' or '’' or '-'
        && i > 0 && char.IsLetterOrDigit(text[i - 1])
        && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]);
}
