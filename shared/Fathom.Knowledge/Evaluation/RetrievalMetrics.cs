namespace Fathom.Knowledge.Evaluation;

/// <summary>
/// Ranking metrics as trec_eval (and so BEIR) computes them: a document is relevant when its
/// judgement is above 0; nDCG uses the judgement itself as the gain and log2(rank + 1) as the discount.
/// Duplicate ids in a ranking count once, at their first position.
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>Share of the relevant documents found in the first <paramref name="k"/> results; 0 when none is relevant.</summary>
    public static double RecallAtK(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judgements, int k)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(judgements);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var relevant = judgements.Count(j => j.Value > 0);
        if (relevant == 0)
        {
            return 0;
        }

        var found = TopK(ranked, k).Count(id => judgements.GetValueOrDefault(id) > 0);
        return (double)found / relevant;
    }

    /// <summary>Normalised discounted cumulative gain of the first <paramref name="k"/> results, in [0, 1].</summary>
    public static double NdcgAtK(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judgements, int k)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(judgements);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);

        var dcg = 0.0;
        var rank = 0;
        foreach (var id in TopK(ranked, k))
        {
            rank++;
            var gain = Math.Max(0, judgements.GetValueOrDefault(id));
            dcg += gain / Math.Log2(rank + 1);
        }

        var ideal = 0.0;
        rank = 0;
        foreach (var gain in judgements.Values.Where(g => g > 0).OrderByDescending(g => g).Take(k))
        {
            rank++;
            ideal += gain / Math.Log2(rank + 1);
        }

        return ideal == 0 ? 0 : dcg / ideal;
    }

    private static IEnumerable<string> TopK(IReadOnlyList<string> ranked, int k) => ranked.Distinct(StringComparer.Ordinal).Take(k);
}
