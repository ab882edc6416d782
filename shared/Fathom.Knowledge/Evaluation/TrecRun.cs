using System.Globalization;

namespace Fathom.Knowledge.Evaluation;

/// <summary>
/// Rankings in TREC run format, one line per retrieved document: <c>query-id Q0 doc-id rank score tag</c>
/// (what trec_eval reads, and what <c>bench/eval/bm25_reference.py</c> writes), to score another system's
/// rankings with the same metrics as Fathom's.
/// </summary>
public static class TrecRun
{
    /// <summary>Query id → document ids, best first (by rank). Throws <see cref="FormatException"/> naming a bad line.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Load(string file)
    {
        var rankings = new Dictionary<string, List<(int Rank, string Document)>>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(file))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || !int.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var rank))
            {
                throw new FormatException($"{file}:{lineNumber}: expected 'query-id Q0 doc-id rank score tag'.");
            }
            if (!rankings.TryGetValue(fields[0], out var ranking))
            {
                rankings[fields[0]] = ranking = [];
            }
            ranking.Add((rank, fields[2]));
        }
        return rankings.ToDictionary(
            r => r.Key,
            r => (IReadOnlyList<string>)r.Value.OrderBy(x => x.Rank).Select(x => x.Document).ToList(),
            StringComparer.Ordinal);
    }
}
