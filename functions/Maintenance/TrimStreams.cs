using Fathom.Functions;
using Fathom.Functions.Configuration;
using Fathom.Knowledge.Stores;
using Fathom.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Maintenance.Functions;

/// <summary>
/// Keeps the ingest stream small: entries every consumer group has read and acknowledged are trimmed
/// (never one still pending), and dead letters older than DeadLetterRetention go.
/// </summary>
public sealed partial class TrimStreams(
    RedisConnections redis,
    IngestQueue queue,
    IOptions<MaintenanceOptions> options,
    IOptions<FunctionsHostOptions> hostOptions,
    TimeProvider time,
    ILogger<TrimStreams> logger)
{
    [Function(nameof(TrimStreams))]
    public async Task Run([TimerTrigger("%Maintenance:TrimSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var db = (await redis.GetAsync(IngestQueue.RedisSetting)).GetDatabase();
        var trimmed = 0L;
        if (await SafeMinimumIdAsync(db, queue.Stream) is { } minId)
        {
            trimmed = (long)await db.ExecuteAsync("XTRIM", queue.Stream, "MINID", minId);
        }
        var deadLetters = queue.Stream + hostOptions.Value.Extensions.RedisStreams.DeadLetterSuffix;
        var cutoff = (time.GetUtcNow() - options.Value.DeadLetterRetention).ToUnixTimeMilliseconds();
        var dead = (long)await db.ExecuteAsync("XTRIM", deadLetters, "MINID", $"{cutoff}-0");
        LogTrimmed(logger, trimmed, dead);
    }

    /// <summary>The lowest id any group still needs: its oldest pending entry, or the entry after its last delivered one.</summary>
    private static async Task<string?> SafeMinimumIdAsync(IDatabase db, string stream)
    {
        if (!await db.KeyExistsAsync(stream))
        {
            return null;
        }
        var groups = await db.StreamGroupInfoAsync(stream);
        if (groups.Length == 0)
        {
            return null;
        }
        var needed = new List<StreamId>();
        foreach (var group in groups)
        {
            var pending = await db.StreamPendingAsync(stream, group.Name);
            needed.Add(pending.PendingMessageCount > 0 ? StreamId.Parse(pending.LowestPendingMessageId!) : StreamId.Parse(group.LastDeliveredId!).Next());
        }
        return needed.MinBy(id => (id.Milliseconds, id.Sequence)).ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trimmed {Entries} handled ingest entries and {DeadLetters} old dead letters")]
    private static partial void LogTrimmed(ILogger logger, long entries, long deadLetters);
}

/// <summary>A stream entry id (milliseconds-sequence), ordered as Redis orders them.</summary>
public readonly record struct StreamId(long Milliseconds, long Sequence)
{
    public static StreamId Parse(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? new StreamId(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), 0)
            : new StreamId(long.Parse(id[..dash], System.Globalization.CultureInfo.InvariantCulture), long.Parse(id[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public StreamId Next() => this with { Sequence = Sequence + 1 };

    public override string ToString() => $"{Milliseconds}-{Sequence}";
}
