namespace Fathom.Knowledge.Search;

/// <summary>
/// Relative score fusion: each ranking's scores are min-max scaled to 0..1 and summed per item, so a
/// confident match in one list is not flattened to its rank (as reciprocal-rank fusion does). On the
/// shipped evaluation set it lifts hybrid above both single modes where RRF (k = 60) falls below full text.
/// </summary>
public static class RelativeScoreFusion
{
    public static IReadOnlyList<FusedResult<T>> Fuse<T, TKey>(IReadOnlyList<IReadOnlyList<T>> rankings, Func<T, TKey> key, Func<T, double> score)
        where TKey : notnull
    {
        var fused = new Dictionary<TKey, (T Item, double Score, int?[] Ranks)>();
        for (var list = 0; list < rankings.Count; list++)
        {
            var ranking = rankings[list];
            if (ranking.Count == 0)
            {
                continue;
            }
            var max = ranking.Max(score);
            var min = ranking.Min(score);
            for (var rank = 0; rank < ranking.Count; rank++)
            {
                var item = ranking[rank];
                var scaled = max - min < 1e-12 ? 1.0 : (score(item) - min) / (max - min);
                var k = key(item);
                if (!fused.TryGetValue(k, out var entry))
                {
                    entry = (item, 0, new int?[rankings.Count]);
                }
                entry.Ranks[list] ??= rank + 1;
                fused[k] = (entry.Item, entry.Score + scaled, entry.Ranks);
            }
        }
        return fused.Values
            .OrderByDescending(e => e.Score)
            .ThenBy(e => e.Ranks.Min(r => r ?? int.MaxValue))
            .Select(e => new FusedResult<T>(e.Item, e.Score, e.Ranks))
            .ToList();
    }
}
