using Fathom.Gateway;
using StackExchange.Redis;

namespace Fathom.Gateway;

/// <summary>
/// Keeps the apps running the way the cluster would: in Eager mode all of them, restarted if they crash;
/// in OnDemand mode it mirrors KEDA — HTTP apps start on their first request and stop after IdleTimeout,
/// stream apps start while their consumer group has lag or pending entries and stop once drained and idle.
/// </summary>
public sealed partial class AppFleet(IReadOnlyList<AppProcess> apps, GatewayOptions options, Func<Task<IDatabase?>> redis, ILogger<AppFleet> logger) : BackgroundService
{
    public IReadOnlyList<AppProcess> Apps => apps;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var missing in apps.Where(a => !a.IsBuilt))
        {
            LogNotBuilt(logger, missing.App.Name);
        }
        // Eager starts everything; OnDemand starts only apps nothing can wake (no routes, no stream: timers).
        await Task.WhenAll(apps
            .Where(a => a.IsBuilt && (options.Mode == GatewayMode.Eager || (a.App.Routes.Count == 0 && a.App.Stream is null)))
            .Select(a => StartQuietlyAsync(a, stoppingToken)));

        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await tick.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var app in apps.Where(a => a.IsBuilt))
            {
                if (options.Mode == GatewayMode.Eager)
                {
                    if (!app.IsRunning)
                    {
                        LogRestarting(logger, app.App.Name);
                        await StartQuietlyAsync(app, stoppingToken);
                    }
                    continue;
                }

                if (app.App.Stream is { } stream && await BacklogAsync(stream, app.App.ConsumerGroup ?? app.App.Name) > 0)
                {
                    app.Touch();
                    await StartQuietlyAsync(app, stoppingToken);
                }
                else if (app.IsRunning && app.InFlight == 0 && app.Idle > options.IdleTimeout && (app.App.Routes.Count > 0 || app.App.Stream is not null))
                {
                    await app.StopAsync($"idle for {options.IdleTimeout}");
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(apps.Select(a => a.StopAsync("gateway stopping")));
    }

    /// <summary>Entries not yet delivered (lag) plus entries delivered but not acknowledged, as the KEDA redis-streams scaler sees them.</summary>
    private async Task<long> BacklogAsync(string stream, string group)
    {
        try
        {
            if (await redis() is not { } db)
            {
                return 0;
            }
            var info = await db.ExecuteAsync("XINFO", "GROUPS", stream);
            foreach (var entry in (RedisResult[])info!)
            {
                var fields = (RedisResult[])entry!;
                var map = new Dictionary<string, RedisResult>(StringComparer.Ordinal);
                for (var i = 0; i + 1 < fields.Length; i += 2)
                {
                    map[(string)fields[i]!] = fields[i + 1];
                }
                if ((string?)map["name"] == group)
                {
                    var lag = map.TryGetValue("lag", out var l) && !l.IsNull ? (long)l : 0;
                    return lag + (long)map["pending"];
                }
            }
            // No group yet: everything in the stream is backlog.
            return await db.StreamLengthAsync(stream);
        }
        catch (RedisServerException)
        {
            return 0;
        }
        catch (RedisException ex)
        {
            LogRedisUnavailable(logger, ex);
            return 0;
        }
    }

    private async Task StartQuietlyAsync(AppProcess app, CancellationToken ct)
    {
        try
        {
            await app.EnsureStartedAsync(ct);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FileNotFoundException)
        {
            LogStartFailed(logger, ex, app.App.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{App} is not built; its routes answer 503 until it is")]
    private static partial void LogNotBuilt(ILogger logger, string app);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{App} is not running; starting it again")]
    private static partial void LogRestarting(ILogger logger, string app);

    [LoggerMessage(Level = LogLevel.Error, Message = "{App} failed to start")]
    private static partial void LogStartFailed(ILogger logger, Exception ex, string app);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read stream backlog: Redis unavailable")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception ex);
}
