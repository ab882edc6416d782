using System.Globalization;
using Fathom.Redis;
using Fathom.Redis.Streams;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fathom.Knowledge.Stores.Operations;

/// <summary>
/// The ingestion stream's dead letters (<c>&lt;stream&gt;:dead</c>, written by the stream trigger with fields
/// <c>dead-letter:source-id/function/deliveries/error</c> beside the entry's own) and the one thing to do with them:
/// put one back on the stream.
/// </summary>
public sealed class DeadLetters(RedisConnections redis, IngestQueue queue, IOptions<RedisStreamOptions> streams)
{
    private const string Prefix = "dead-letter:";

    /// <summary>
    /// Re-adds the entry's own fields (not the dead-letter ones) to the stream and deletes the dead letter, in one
    /// script, so a retry is never lost nor doubled: a second click finds nothing and adds nothing. Ingestion is
    /// idempotent and runs a FAILED document again, so a retried entry is simply processed.
    /// </summary>
    private const string RetryScript = """
        local entry = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
        if #entry == 0 then return false end
        local fields = entry[1][2]
        local keep = {}
        for i = 1, #fields, 2 do
          if string.sub(fields[i], 1, 12) ~= 'dead-letter:' then
            table.insert(keep, fields[i])
            table.insert(keep, fields[i + 1])
          end
        end
        local id = redis.call('XADD', KEYS[2], '*', unpack(keep))
        redis.call('XDEL', KEYS[1], ARGV[1])
        return id
        """;

    public string Key => queue.Stream + streams.Value.DeadLetterSuffix;

    /// <summary>The newest dead letters first.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int limit)
    {
        var db = (await redis.GetAsync(IngestQueue.RedisSetting)).GetDatabase();
        var entries = await db.StreamRangeAsync(Key, "-", "+", limit, Order.Descending);
        return entries.Select(Describe).ToList();
    }

    public async Task<long> CountAsync()
        => await (await redis.GetAsync(IngestQueue.RedisSetting)).GetDatabase().StreamLengthAsync(Key);

    /// <summary>The id the entry got on the ingestion stream, or null when there is no such dead letter (any more).</summary>
    public async Task<string?> RetryAsync(string id)
    {
        if (!IsEntryId(id))
        {
            return null;
        }
        var db = (await redis.GetAsync(IngestQueue.RedisSetting)).GetDatabase();
        var result = await db.ScriptEvaluateAsync(RetryScript, [Key, queue.Stream], [id]);
        return result.IsNull ? null : (string?)result;
    }

    /// <summary>Redis stream ids are <c>milliseconds-sequence</c>; anything else would be a Redis error, not a 404.</summary>
    public static bool IsEntryId(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && dash < id.Length - 1 && id.Length <= 41 && id.Remove(dash, 1).All(char.IsAsciiDigit);
    }

    private static DeadLetter Describe(StreamEntry entry)
    {
        var fields = entry.Values.ToDictionary(v => (string)v.Name!, v => (string?)v.Value, StringComparer.Ordinal);
        var id = entry.Id.ToString();
        var ms = long.Parse(id[..id.IndexOf('-', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        var message = IngestMessage.Parse(entry);
        return new DeadLetter(
            id,
            DateTimeOffset.FromUnixTimeMilliseconds(ms),
            fields.GetValueOrDefault(Prefix + "source-id"),
            fields.GetValueOrDefault(Prefix + "function"),
            int.TryParse(fields.GetValueOrDefault(Prefix + "deliveries"), CultureInfo.InvariantCulture, out var deliveries) ? deliveries : 0,
            fields.GetValueOrDefault(Prefix + "error"),
            message?.DocumentId,
            message?.CollectionId);
    }
}

/// <summary>One dead letter: when it died, after how many deliveries, why, and which document it was about.</summary>
public sealed record DeadLetter(
    string Id,
    DateTimeOffset DeadAt,
    string? SourceId,
    string? Function,
    int Deliveries,
    string? Error,
    Guid? DocumentId,
    Guid? CollectionId);
