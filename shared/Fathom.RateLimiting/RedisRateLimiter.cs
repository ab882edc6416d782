using StackExchange.Redis;

namespace Fathom.RateLimiting;

/// <summary>One budget: a Redis key and the rate it refills at.</summary>
public readonly record struct RateBudget(string Key, int PermitsPerMinute, int Burst)
{
    /// <summary>Milliseconds between two permits at the steady rate (GCRA's emission interval).</summary>
    public long IntervalMs => Math.Max(1, (long)Math.Round(60_000d / PermitsPerMinute));

    /// <summary>How far ahead of now the budget may be spent: <see cref="Burst"/> calls at once.</summary>
    public long ToleranceMs => IntervalMs * Burst;
}

/// <summary>Allowed, or refused by the budget at <see cref="DeniedBy"/> until <see cref="RetryAfter"/> has passed.</summary>
public readonly record struct RateDecision(bool Allowed, TimeSpan RetryAfter, int DeniedBy)
{
    public static RateDecision Allow { get; } = new(true, TimeSpan.Zero, -1);
}

/// <summary>
/// GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp) in a Lua script, so that
/// every replica spends the same budget and check-and-spend is one atomic step. Each key holds the
/// "theoretical arrival time" (TAT) in milliseconds: a call is allowed when TAT + interval - tolerance is
/// not in the future, and then moves TAT on by one interval. Several budgets (caller and IP) are checked
/// together and spent only if all allow, so a call refused by one does not drain the other.
/// Time comes from Redis (<c>TIME</c>) rather than each replica's clock, so skewed clocks cannot
/// disagree about a budget. Keys expire when their budget is full again, so idle callers cost nothing.
/// (On Redis Cluster the budgets of one call would need a common hash tag; Fathom runs one Redis.)
/// </summary>
public sealed class RedisRateLimiter
{
    internal const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local wait, which = 0, -1
        local tats = {}
        for i = 1, #KEYS do
          local interval = tonumber(ARGV[2 * i - 1])
          local tolerance = tonumber(ARGV[2 * i])
          local tat = tonumber(redis.call('GET', KEYS[i]) or now)
          if tat < now then tat = now end
          local next_tat = tat + interval
          local allow_at = next_tat - tolerance
          if allow_at > now and allow_at - now > wait then
            wait, which = allow_at - now, i - 1
          end
          tats[i] = next_tat
        end
        if wait > 0 then return { wait, which } end
        for i = 1, #KEYS do
          redis.call('SET', KEYS[i], string.format('%d', tats[i]), 'PX', tats[i] - now)
        end
        return { 0, -1 }
        """;

    public static async Task<RateDecision> AcquireAsync(IDatabaseAsync db, IReadOnlyList<RateBudget> budgets)
    {
        var keys = new RedisKey[budgets.Count];
        var args = new RedisValue[budgets.Count * 2];
        for (var i = 0; i < budgets.Count; i++)
        {
            keys[i] = budgets[i].Key;
            args[2 * i] = budgets[i].IntervalMs;
            args[2 * i + 1] = budgets[i].ToleranceMs;
        }
        // SE.Redis sends EVALSHA once the server knows the script, so the script text crosses the wire rarely.
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(Script, keys, args))!;
        var waitMs = (long)result[0];
        return waitMs <= 0 ? RateDecision.Allow : new RateDecision(false, TimeSpan.FromMilliseconds(waitMs), (int)result[1]);
    }
}
