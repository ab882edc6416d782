using Fathom.Redis;
using StackExchange.Redis;

namespace Fathom.Knowledge.Stores.Operations;

/// <summary>The ingestion group's backlog as XINFO GROUPS reports it (what the KEDA scaler measures too).</summary>
public sealed class IngestBacklog(RedisConnections redis, IngestQueue queue)
{
    public async Task<Backlog> ReadAsync()
    {
        var db = (await redis.GetAsync(IngestQueue.RedisSetting)).GetDatabase();
        var length = await db.StreamLengthAsync(queue.Stream);
        if (length == 0 && !await db.KeyExistsAsync(queue.Stream))
        {
            return new Backlog(queue.Stream, IngestQueue.ConsumerGroup, 0, 0, 0);
        }
        foreach (var group in (RedisResult[])(await db.ExecuteAsync("XINFO", "GROUPS", queue.Stream))!)
        {
            var fields = (RedisResult[])group!;
            var map = new Dictionary<string, RedisResult>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                map[(string)fields[i]!] = fields[i + 1];
            }
            if ((string?)map["name"] == IngestQueue.ConsumerGroup)
            {
                // Redis reports lag as nil when it cannot tell (after some deletions); the whole stream is an upper bound.
                var lag = map.TryGetValue("lag", out var l) && !l.IsNull ? (long)l : length;
                return new Backlog(queue.Stream, IngestQueue.ConsumerGroup, length, lag, (long)map["pending"]);
            }
        }
        // No group yet: the Ingestion app never ran, everything is waiting.
        return new Backlog(queue.Stream, IngestQueue.ConsumerGroup, length, length, 0);
    }
}

/// <summary>Entries in the stream, not yet delivered to the group (lag), and delivered but not acknowledged (pending).</summary>
public sealed record Backlog(string Stream, string Group, long Length, long Lag, long Pending);
