using Fathom.Redis;
using Microsoft.Extensions.Hosting;

namespace Fathom.RateLimiting;

/// <summary>
/// Starts connecting to Redis when the app starts, without waiting for it. Otherwise the first calls after a
/// start (every scale-from-zero) would find no connection within the limiter's short wait and pass unlimited.
/// </summary>
internal sealed class RedisWarmup(RedisConnections redis) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: start-up must stay cheap, and a Redis that is down must not hold the app back.
        _ = redis.GetAsync().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
