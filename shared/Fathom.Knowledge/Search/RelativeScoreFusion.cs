namespace Fathom.Knowledge.Search;

/// <summary>
/// Relative score fusion: each ranking's scores are divided by its best score (its top item scores 1, the others keep
/// their ratio to it), weighted per ranking and summed per item; an item missing from a ranking gets 0 there. Unlike
/// reciprocal-rank fusion it keeps how far ahead a confident match is. Dividing by the best rather than min-max scaling
/// keeps a list's bottom from being pushed to 0 by whatever happened to be its last candidate: on the Python library
/// reference set, BM25 plus the hashed embedder, it fuses better at every weight (see the README's fusion decision).
/// </summary>
public static class RelativeScoreFusion
{
    public static IReadOnlyList<FusedResult<T>> Fuse<T, TKey>(IReadOnlyList<IReadOnlyList<T>> rankings, Func<T, TKey> key, Func<T, double> score, IReadOnlyList<double>? weights = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(rankings);
        if (weights is not null && weights.Count != rankings.Count)
        {
            throw new ArgumentException("One weight per ranking.", nameof(weights));
        }
        var fused = new Dictionary<TKey, (T Item, double Score, int?[] Ranks, int FirstSeen)>();
        for (var list = 0; list < rankings.Count; list++)
        {
            var ranking = rankings[list];
            if (ranking.Count == 0)
            {
                continue;
            }
            var best = ranking.Max(score);
            var weight = weights?[list] ?? 1.0;
            for (var rank = 0; rank < ranking.Count; rank++)
            {
                var item = ranking[rank];
                // A list whose best is not positive (cosine similarity can be) says nothing about relative strength.
                var scaled = best > 1e-12 ? Math.Max(0, score(item)) / best : 0;
                var k = key(item);
                if (!fused.TryGetValue(k, out var entry))
                {
                    entry = (item, 0, new int?[rankings.Count], fused.Count);
                }
                if (entry.Ranks[list] is null)
                {
                    entry.Ranks[list] = rank + 1;
                    entry.Score += weight * scaled;
                }
                fused[k] = entry;
            }
        }
        return fused.Values
            .OrderByDescending(e => e.Score)
            .ThenBy(e => e.Ranks.Min(r => r ?? int.MaxValue))
            .ThenBy(e => e.FirstSeen)
            .Select(e => new FusedResult<T>(e.Item, e.Score, e.Ranks))
            .ToList();
    }
}
