using System.Text;
using Fathom.Knowledge.TextProcessing;

namespace Fathom.Knowledge.Search;

/// <summary>
/// Builds the search-result snippet: the window of a chunk (about 240 characters) that covers the
/// most distinct query terms, with whole-word matches wrapped in &lt;mark&gt;…&lt;/mark&gt; and
/// everything else HTML-escaped, so the UI can insert it as HTML safely. Words match ignoring case
/// and common English endings ("index" marks "indexes").
/// </summary>
public static class SnippetHighlighter
{
    public const int DefaultWindowLength = 240;
    private const char Ellipsis = '…';

    /// <summary>The highlighted snippet of <paramref name="text"/> for the words of <paramref name="query"/>.</summary>
    public static string Highlight(string text, string query, int windowLength = DefaultWindowLength) =>
        Highlight(text, SearchTerms.Extract(query), windowLength);

    /// <summary>The highlighted snippet of <paramref name="text"/> for <paramref name="queryTerms"/>.</summary>
    public static string Highlight(string text, IEnumerable<string> queryTerms, int windowLength = DefaultWindowLength)
    {
        ArgumentNullException.ThrowIfNull(queryTerms);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowLength, 20);
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var stems = queryTerms.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => SearchTerms.Stem(t.Trim())).Distinct(StringComparer.Ordinal).ToList();
        var matches = FindMatches(text, stems);
        var (start, end) = ChooseWindow(text, matches, windowLength);

        var builder = new StringBuilder(windowLength * 2);
        if (start > 0)
        {
            builder.Append(Ellipsis);
        }

        var cursor = start;
        foreach (var match in matches)
        {
            if (match.Range.Start.Value < start || match.Range.End.Value > end)
            {
                continue;
            }

            HtmlText.Append(builder, text.AsSpan(cursor, match.Range.Start.Value - cursor));
            builder.Append("<mark>");
            HtmlText.Append(builder, text.AsSpan(match.Range));
            builder.Append("</mark>");
            cursor = match.Range.End.Value;
        }

        HtmlText.Append(builder, text.AsSpan(cursor, end - cursor));
        if (end < text.Length)
        {
            builder.Append(Ellipsis);
        }

        return builder.ToString();
    }

    private static List<Match> FindMatches(string text, List<string> stems)
    {
        var matches = new List<Match>();
        if (stems.Count == 0)
        {
            return matches;
        }

        foreach (var range in SearchTerms.Words(text))
        {
            var index = stems.IndexOf(SearchTerms.Stem(text.AsSpan(range)));
            if (index >= 0)
            {
                matches.Add(new Match(range, index));
            }
        }

        return matches;
    }

    // The window with the most distinct terms, then the most matches; a little context before the first match.
    private static (int Start, int End) ChooseWindow(string text, List<Match> matches, int windowLength)
    {
        if (text.Length <= windowLength)
        {
            return (0, text.Length);
        }

        var bestStart = 0;
        var bestDistinct = -1;
        var bestCount = -1;
        var lead = windowLength / 5;
        foreach (var anchor in matches)
        {
            var start = Math.Clamp(anchor.Range.Start.Value - lead, 0, text.Length - windowLength);
            var end = start + windowLength;
            var inside = matches.Where(m => m.Range.Start.Value >= start && m.Range.End.Value <= end).ToList();
            var distinct = inside.Select(m => m.Term).Distinct().Count();
            if (distinct > bestDistinct || (distinct == bestDistinct && inside.Count > bestCount))
            {
                (bestStart, bestDistinct, bestCount) = (start, distinct, inside.Count);
            }
        }

        return SnapToWords(text, bestStart, bestStart + windowLength);
    }

    // Moves the edges inward to whitespace so no word is cut in half.
    private static (int Start, int End) SnapToWords(string text, int start, int end)
    {
        if (start > 0 && !char.IsWhiteSpace(text[start - 1]))
        {
            var space = text.IndexOfAny([' ', '\n'], start, end - start);
            if (space >= 0)
            {
                start = space + 1;
            }
        }

        if (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            var space = text.LastIndexOfAny([' ', '\n'], end - 1, end - start);
            if (space > start)
            {
                end = space;
            }
        }

        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (start, end);
    }

    private readonly record struct Match(Range Range, int Term);
}
