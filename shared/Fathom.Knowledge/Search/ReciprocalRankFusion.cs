namespace Fathom.Knowledge.Search;

/// <summary>One fused result: the item, its RRF score and its 1-based rank in each input list (null where absent).</summary>
public sealed record FusedResult<T>(T Item, double Score, IReadOnlyList<int?> Ranks);

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke and Büttcher 2009): score(d) = Σ 1 / (k + rank(d)) over
/// the rankings that contain d, ranks 1-based. It needs no score calibration between, say, vector
/// and full-text search, which is why hybrid search uses it.
/// </summary>
public static class ReciprocalRankFusion
{
    public const int DefaultK = 60;

    /// <summary>
    /// Fuses <paramref name="rankings"/> (each best first) into one list, best first. Items are
    /// identified by <paramref name="keySelector"/>; the first occurrence supplies the item. Ties
    /// go to the better best rank, then to the earlier list, so the order is deterministic.
    /// A key repeated within one list counts once, at its best rank.
    /// </summary>
    public static IReadOnlyList<FusedResult<T>> Fuse<T, TKey>(IReadOnlyList<IReadOnlyList<T>> rankings, Func<T, TKey> keySelector, int k = DefaultK)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(rankings);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentOutOfRangeException.ThrowIfNegative(k);

        var entries = new Dictionary<TKey, Entry<T>>();
        var order = new List<TKey>();
        for (var list = 0; list < rankings.Count; list++)
        {
            var ranking = rankings[list];
            for (var position = 0; position < ranking.Count; position++)
            {
                var item = ranking[position];
                var key = keySelector(item);
                if (!entries.TryGetValue(key, out var entry))
                {
                    entry = new Entry<T>(item, new int?[rankings.Count], order.Count);
                    entries.Add(key, entry);
                    order.Add(key);
                }

                if (entry.Ranks[list] is null)
                {
                    entry.Ranks[list] = position + 1;
                    entry.Score += 1.0 / (k + position + 1);
                    entry.BestRank = Math.Min(entry.BestRank, position + 1);
                }
            }
        }

        return order
            .Select(key => entries[key])
            .OrderByDescending(e => e.Score)
            .ThenBy(e => e.BestRank)
            .ThenBy(e => e.FirstSeen)
            .Select(e => new FusedResult<T>(e.Item, e.Score, e.Ranks))
            .ToList();
    }

    private sealed class Entry<T>(T item, int?[] ranks, int firstSeen)
    {
        public T Item { get; } = item;

        public int?[] Ranks { get; } = ranks;

        public int FirstSeen { get; } = firstSeen;

        public double Score { get; set; }

        public int BestRank { get; set; } = int.MaxValue;
    }
}
