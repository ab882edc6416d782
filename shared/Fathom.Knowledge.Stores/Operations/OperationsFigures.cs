using System.Globalization;
using Fathom.Redis;
using StackExchange.Redis;

namespace Fathom.Knowledge.Stores.Operations;

/// <summary>
/// The operations page's last hour: documents finished and searches served, in one Redis key per minute that expires
/// after two hours. Writes are fire-and-forget (one INCR, never awaited), so neither ingestion nor a search waits on
/// them; Prometheus keeps the long history, this is only what the page draws without a Prometheus.
/// </summary>
public sealed class OperationsFigures(RedisConnections redis, IngestQueue queue, TimeProvider time)
{
    public const int Minutes = 60;

    private static readonly TimeSpan Keep = TimeSpan.FromHours(2);

    /// <summary>Named after the stream, so a second stack (a test's) on the same Redis keeps its own figures.</summary>
    private string Key(string figure, long minute) => string.Create(CultureInfo.InvariantCulture, $"{queue.Stream}:figures:{figure}:{minute}");

    private long CurrentMinute => time.GetUtcNow().ToUnixTimeSeconds() / 60;

    /// <summary>Called when a document version reaches COMPLETE.</summary>
    public Task RecordIngestedAsync() => IncrementAsync("ingested", 1);

    /// <summary>Called after every search: the count and the summed milliseconds give the minute's mean latency.</summary>
    public async Task RecordSearchAsync(TimeSpan elapsed)
    {
        await IncrementAsync("searches", 1);
        await IncrementAsync("search-ms", (long)Math.Ceiling(elapsed.TotalMilliseconds));
    }

    private async Task IncrementAsync(string figure, long by)
    {
        try
        {
            var db = (await redis.GetAsync(IngestQueue.RedisSetting)).GetDatabase();
            var key = Key(figure, CurrentMinute);
            _ = db.StringIncrementAsync(key, by, CommandFlags.FireAndForget);
            _ = db.KeyExpireAsync(key, Keep, CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // A figure lost while Redis is away is not worth failing ingestion or a search for.
        }
    }

    /// <summary>The last <see cref="Minutes"/> minutes, oldest first, the current (partial) minute last.</summary>
    public async Task<LastHour> ReadLastHourAsync()
    {
        var db = (await redis.GetAsync(IngestQueue.RedisSetting)).GetDatabase();
        var now = CurrentMinute;
        var minutes = Enumerable.Range(0, Minutes).Select(i => now - Minutes + 1 + i).ToArray();
        var ingested = await db.StringGetAsync(minutes.Select(m => (RedisKey)Key("ingested", m)).ToArray());
        var searches = await db.StringGetAsync(minutes.Select(m => (RedisKey)Key("searches", m)).ToArray());
        var searchMs = await db.StringGetAsync(minutes.Select(m => (RedisKey)Key("search-ms", m)).ToArray());
        var points = minutes.Select((m, i) =>
        {
            var count = (long?)searches[i] ?? 0;
            return new MinuteFigures(
                DateTimeOffset.FromUnixTimeSeconds(m * 60),
                (long?)ingested[i] ?? 0,
                count,
                count == 0 ? null : Math.Round((double)((long?)searchMs[i] ?? 0) / count, 1));
        }).ToList();
        return new LastHour(points);
    }
}

/// <summary>One minute: documents finished, searches served and their mean latency (null when there was no search).</summary>
public sealed record MinuteFigures(DateTimeOffset Minute, long DocumentsIngested, long Searches, double? SearchMeanMs);

public sealed record LastHour(IReadOnlyList<MinuteFigures> Minutes);
