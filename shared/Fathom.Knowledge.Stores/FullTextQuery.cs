using System.Text;

namespace Fathom.Knowledge.Stores;

/// <summary>How a full-text query is read: plain words, or web-search syntax (<c>websearch_to_tsquery</c>'s).</summary>
public static class FullTextQuery
{
    /// <summary>Quotes, a leading <c>-word</c> or <c>OR</c> make a query web-search syntax: it then filters as well as ranks.</summary>
    public static bool IsWebSearch(string query)
        => query.Contains('"', StringComparison.Ordinal) || query.StartsWith('-') || query.Contains(" -", StringComparison.Ordinal) || query.Contains(" OR ", StringComparison.Ordinal);

    /// <summary>
    /// The words a web-search query asks for, which BM25 ranks on: negated words and phrases (<c>-word</c>,
    /// <c>-"a phrase"</c>) are left out, quotes become spaces; <c>or</c> is an english stop word and drops out later.
    /// </summary>
    public static string PositiveWords(string query)
    {
        var words = new StringBuilder(query.Length);
        var i = 0;
        while (i < query.Length)
        {
            if (char.IsWhiteSpace(query[i]))
            {
                words.Append(' ');
                i++;
                continue;
            }
            // As websearch_to_tsquery reads it: '-' at the start of a word negates that word or quoted phrase.
            var negated = query[i] == '-' && (i == 0 || char.IsWhiteSpace(query[i - 1]));
            var start = negated ? i + 1 : i;
            var end = start;
            if (end < query.Length && query[end] == '"')
            {
                var close = query.IndexOf('"', end + 1);
                end = close < 0 ? query.Length : close + 1;
            }
            else
            {
                while (end < query.Length && !char.IsWhiteSpace(query[end]))
                {
                    end++;
                }
            }
            if (!negated)
            {
                words.Append(query, start, end - start);
            }
            i = Math.Max(end, i + 1);
        }
        return words.Replace('"', ' ').ToString().Trim();
    }
}
