using Fathom.Functions.Configuration;
using Fathom.Functions.Hosting;
using Fathom.Redis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fathom.Functions.Streams;

/// <summary>
/// Every 15 s, reads a stream trigger's backlog (XINFO GROUPS: lag and pending of its group) and the length of its
/// dead-letter stream into <see cref="FunctionMetrics"/>, so /metrics can answer a scrape without a Redis call
/// (observable gauges are read synchronously).
/// </summary>
public sealed partial class StreamBacklogSampler(
    StreamFunctionDescriptor function,
    RedisConnections redis,
    IOptions<FunctionsHostOptions> hostOptions,
    TimeProvider time,
    FunctionMetrics metrics,
    ILogger<StreamBacklogSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var tick = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var db = (await redis.GetAsync(function.Connection)).GetDatabase();
                metrics.StreamSampled(function.StreamKey, function.Group, await SampleAsync(db));
            }
            catch (RedisException ex)
            {
                // The gauges keep their last values; the listener reports the outage itself.
                LogSampleFailed(logger, ex, function.StreamKey);
            }
        }
        while (await tick.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<StreamSample> SampleAsync(IDatabase db)
    {
        var deadLetters = await db.StreamLengthAsync(function.StreamKey + hostOptions.Value.Extensions.RedisStreams.DeadLetterSuffix);
        var length = await db.StreamLengthAsync(function.StreamKey);
        if (length == 0 && !await db.KeyExistsAsync(function.StreamKey))
        {
            return new StreamSample(0, 0, deadLetters);
        }
        foreach (var group in (RedisResult[])(await db.ExecuteAsync("XINFO", "GROUPS", function.StreamKey))!)
        {
            var fields = (RedisResult[])group!;
            var map = new Dictionary<string, RedisResult>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                map[(string)fields[i]!] = fields[i + 1];
            }
            if ((string?)map["name"] == function.Group)
            {
                // Redis answers nil lag when it cannot tell (after deletions); the stream's length bounds it.
                var lag = map.TryGetValue("lag", out var l) && !l.IsNull ? (long)l : length;
                return new StreamSample(lag, (long)map["pending"], deadLetters);
            }
        }
        return new StreamSample(length, 0, deadLetters);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot sample the backlog of {Stream}")]
    private static partial void LogSampleFailed(ILogger logger, Exception ex, string stream);
}
