using Fathom.Testing;
using StackExchange.Redis;

namespace Fathom.RateLimiting.Tests;

/// <summary>The GCRA script itself, against the stack's Redis, on keys of this test only.</summary>
public sealed class LimiterScriptTests : IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;
    private readonly string _prefix = $"fathom:test:{Guid.NewGuid():N}";

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(TestStack.Redis);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task A_burst_passes_then_calls_wait_one_interval()
    {
        var db = _redis.GetDatabase();
        var budget = new RateBudget($"{_prefix}:a", PermitsPerMinute: 6, Burst: 3);

        var decisions = new List<RateDecision>();
        for (var i = 0; i < 4; i++)
        {
            decisions.Add(await RedisRateLimiter.AcquireAsync(db, [budget]));
        }

        Assert.All(decisions.Take(3), d => Assert.True(d.Allowed));
        Assert.False(decisions[3].Allowed);
        Assert.InRange(decisions[3].RetryAfter.TotalSeconds, 9, 10);
        var ttl = await db.KeyTimeToLiveAsync(budget.Key);
        Assert.InRange(ttl!.Value.TotalSeconds, 25, 30);
    }

    [Fact]
    public async Task Budgets_refill_at_the_steady_rate()
    {
        var db = _redis.GetDatabase();
        var budget = new RateBudget($"{_prefix}:b", PermitsPerMinute: 60, Burst: 1);

        var first = await RedisRateLimiter.AcquireAsync(db, [budget]);
        var second = await RedisRateLimiter.AcquireAsync(db, [budget]);
        await Task.Delay(second.RetryAfter + TimeSpan.FromMilliseconds(50));
        var third = await RedisRateLimiter.AcquireAsync(db, [budget]);

        Assert.True(first.Allowed);
        Assert.False(second.Allowed);
        Assert.True(third.Allowed);
    }

    [Fact]
    public async Task A_call_refused_by_one_budget_spends_none_of_the_others()
    {
        var db = _redis.GetDatabase();
        var small = new RateBudget($"{_prefix}:small", PermitsPerMinute: 1, Burst: 1);
        var large = new RateBudget($"{_prefix}:large", PermitsPerMinute: 60, Burst: 2);

        var first = await RedisRateLimiter.AcquireAsync(db, [large, small]);
        var refused = await RedisRateLimiter.AcquireAsync(db, [large, small]);
        var largeAlone = await RedisRateLimiter.AcquireAsync(db, [large]);

        Assert.True(first.Allowed);
        Assert.False(refused.Allowed);
        Assert.Equal(1, refused.DeniedBy);
        // Two permits in 'large': the first call and this one; the refused call took nothing.
        Assert.True(largeAlone.Allowed);
        Assert.False((await RedisRateLimiter.AcquireAsync(db, [large])).Allowed);
    }
}
