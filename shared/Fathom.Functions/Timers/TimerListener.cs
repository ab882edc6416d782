using Cronos;
using Fathom.Functions.Configuration;
using Fathom.Functions.Hosting;
using Fathom.Functions.Middleware;
using Fathom.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fathom.Functions.Timers;

/// <summary>
/// Runs one timer function. Every replica keeps the schedule, but each occurrence runs once: the replica
/// that wins <c>SET NX</c> on a key named after the occurrence runs it. The last and next occurrence are
/// kept in Redis; an occurrence missed while no replica ran (scaled to zero, say) is made up once at
/// start-up with <see cref="TimerInfo.IsPastDue"/> set. Several missed occurrences collapse into one run.
/// </summary>
public sealed partial class TimerListener(
    TimerFunctionDescriptor function,
    RedisConnections redis,
    IServiceScopeFactory scopes,
    IOptions<FunctionsHostOptions> hostOptions,
    IConfiguration configuration,
    TimeProvider time,
    FunctionMetrics metrics,
    FunctionPipeline pipeline,
    ILogger<TimerListener> logger) : BackgroundService
{
    /// <summary>Replicas of one app share locks through this id (<c>FunctionsHost__Id</c>, as Azure's host id).</summary>
    private readonly string _hostId = configuration["FunctionsHost:Id"] ?? "fathom";

    private readonly CronExpression _schedule = CronExpression.Parse(function.Schedule, CronFormat.IncludeSeconds);

    private string StatusKey => $"fathom:timer:{_hostId}:{function.Name}:status";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var db = (await redis.GetAsync()).GetDatabase();
        try
        {
            var status = await ReadStatusAsync(db);
            var now = time.GetUtcNow();
            if (status is not null && status.Next < now)
            {
                await RunOnceAsync(db, status.Next, pastDue: true, status, stoppingToken);
            }
            else if (function.RunOnStartup)
            {
                await RunOnceAsync(db, now, pastDue: false, status, stoppingToken);
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                now = time.GetUtcNow();
                var next = _schedule.GetNextOccurrence(now, TimeZoneInfo.Utc);
                if (next is null)
                {
                    return;
                }
                // Timers may wake a little early; an occurrence never runs before its time (it would then also
                // be found again as the next one).
                while (time.GetUtcNow() is var current && current < next.Value)
                {
                    await Task.Delay(next.Value - current, time, stoppingToken);
                }
                await RunOnceAsync(db, next.Value, pastDue: false, await ReadStatusAsync(db), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RunOnceAsync(IDatabase db, DateTimeOffset occurrence, bool pastDue, ScheduleStatus? status, CancellationToken stoppingToken)
    {
        var next = _schedule.GetNextOccurrence(time.GetUtcNow(), TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;
        var lockKey = $"fathom:timer:{_hostId}:{function.Name}:{occurrence.ToUnixTimeMilliseconds()}";
        var lockTtl = TimeSpan.FromTicks(Math.Max(hostOptions.Value.FunctionTimeout.Ticks, TimeSpan.FromMinutes(1).Ticks));
        if (!await TryLockAsync(db, lockKey, lockTtl))
        {
            LogSkipped(logger, function.Name, occurrence);
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(hostOptions.Value.FunctionTimeout);
        await using var scope = scopes.CreateAsyncScope();
        // The pipeline traces, counts and logs the run; a failed occurrence is not retried, the next one runs on
        // schedule. Only a run cut short by shutdown comes back out of it (and ends the loop).
        await pipeline.InvokeAsync(new FunctionContext
        {
            InvocationId = Guid.NewGuid().ToString("N"),
            FunctionName = function.Name,
            InstanceServices = scope.ServiceProvider,
            CancellationToken = timeout.Token,
            Trigger = new Invocation(function, logger, occurrence, pastDue, status, stoppingToken),
        });

        var now = time.GetUtcNow();
        metrics.TimerRan(function.Name, now, next);
        await db.HashSetAsync(StatusKey,
        [
            new HashEntry("last", occurrence.ToUnixTimeMilliseconds()),
            new HashEntry("next", next == DateTimeOffset.MaxValue ? long.MaxValue : next.ToUnixTimeMilliseconds()),
            new HashEntry("updated", now.ToUnixTimeMilliseconds()),
        ]);
    }

    private static async Task<bool> TryLockAsync(IDatabase db, string key, TimeSpan ttl)
    {
        try
        {
            return await db.StringSetAsync(key, Environment.MachineName, ttl, When.NotExists);
        }
        catch (RedisException)
        {
            return false;
        }
    }

    private async Task<ScheduleStatus?> ReadStatusAsync(IDatabase db)
    {
        var values = await db.HashGetAsync(StatusKey, ["last", "next", "updated"]);
        if (values.Any(v => v.IsNull))
        {
            return null;
        }
        static DateTimeOffset At(RedisValue v) => DateTimeOffset.FromUnixTimeMilliseconds(Math.Min((long)v, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
        return new ScheduleStatus(At(values[0]), At(values[1]), At(values[2]));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Timer {Function} ran for {Occurrence} (past due: {PastDue})")]
    private static partial void LogRan(ILogger logger, string function, DateTimeOffset occurrence, bool pastDue);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Timer {Function} occurrence {Occurrence} runs on another replica")]
    private static partial void LogSkipped(ILogger logger, string function, DateTimeOffset occurrence);

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer {Function} failed for {Occurrence}")]
    private static partial void LogFailed(ILogger logger, Exception ex, string function, DateTimeOffset occurrence);
}
