using StackExchange.Redis;

namespace Fathom.Gateway;

/// <summary>
/// Keeps the apps running the way the cluster would: in Eager mode all of them, restarted if they crash;
/// in OnDemand mode it mirrors KEDA — HTTP apps start on their first request and stop after IdleTimeout,
/// stream apps start while their consumer group has lag or pending entries and stop once drained and idle.
/// An app that fails to start is retried with backoff; no app's failure ever stops the gateway.
/// </summary>
public sealed partial class AppFleet(IReadOnlyList<AppProcess> apps, GatewayOptions options, Func<Task<IDatabase?>> redis, TimeProvider time, ILogger<AppFleet> logger) : BackgroundService
{
    private readonly Dictionary<AppProcess, Task> _starts = [];
    private bool _announced;

    public IReadOnlyList<AppProcess> Apps => apps;

    /// <summary>The apps that start with the gateway: all in Eager mode; in OnDemand only those nothing can wake (timers).</summary>
    private IEnumerable<AppProcess> Resident => apps.Where(a => a.IsBuilt && (options.Mode == GatewayMode.Eager || (a.App.Routes.Count == 0 && a.App.Stream is null)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var missing in apps.Where(a => !a.IsBuilt))
        {
            LogNotBuilt(logger, missing.App.Name);
        }
        foreach (var app in Resident)
        {
            Start(app, stoppingToken);
        }

        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await tick.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var app in apps.Where(a => a.IsBuilt))
            {
                try
                {
                    await SuperviseAsync(app, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Whatever one app does, the others and the gateway carry on.
                    LogSupervisionFailed(logger, ex, app.App.Name);
                }
            }
            Announce();
        }
    }

    private async Task SuperviseAsync(AppProcess app, CancellationToken ct)
    {
        if (Starting(app))
        {
            return;
        }
        app.NoticeExit();
        var due = app.State != AppState.Failed || time.GetUtcNow() >= app.RetryAt;
        if (options.Mode == GatewayMode.Eager || (app.App.Routes.Count == 0 && app.App.Stream is null))
        {
            if (!app.IsRunning && due)
            {
                Start(app, ct);
            }
            return;
        }

        if (app.App.Stream is { } stream && await BacklogAsync(stream, app.App.ConsumerGroup ?? app.App.Name) > 0)
        {
            app.Touch();
            if (!app.IsRunning && due)
            {
                Start(app, ct);
            }
        }
        else if (app.IsRunning && app.InFlight == 0 && app.Idle > options.IdleTimeout)
        {
            await app.StopAsync($"idle for {options.IdleTimeout}");
        }
    }

    private bool Starting(AppProcess app) => _starts.TryGetValue(app, out var start) && !start.IsCompleted;

    /// <summary>Starts an app in the background: a slow start holds up neither the other apps nor the supervision loop.</summary>
    private void Start(AppProcess app, CancellationToken ct) => _starts[app] = StartQuietlyAsync(app, ct);

    private static async Task StartQuietlyAsync(AppProcess app, CancellationToken ct)
    {
        try
        {
            await app.EnsureStartedAsync(ct);
        }
        catch (AppStartException)
        {
            // Logged by the app with its reason and next attempt; shown in /api/health.
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The gateway is stopping.
        }
    }

    /// <summary>Once every resident app is live: say so, with the address to open.</summary>
    private void Announce()
    {
        if (_announced || Resident.Any(a => a.State != AppState.Running))
        {
            return;
        }
        _announced = true;
        var count = Resident.Count();
        LogReady(logger, options.Port, count);
        Console.Out.WriteLine($"{Environment.NewLine}Fathom is ready: http://localhost:{options.Port}{Environment.NewLine}");
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
            // No such stream yet.
            return 0;
        }
        catch (RedisException ex)
        {
            LogRedisUnavailable(logger, ex);
            return 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{App} is not built; its routes answer 503 until it is")]
    private static partial void LogNotBuilt(ILogger logger, string app);

    [LoggerMessage(Level = LogLevel.Error, Message = "Supervising {App} failed; the gateway carries on")]
    private static partial void LogSupervisionFailed(ILogger logger, Exception ex, string app);

    [LoggerMessage(Level = LogLevel.Information, Message = "Every app that starts with the gateway is live ({Count}); serving on port {Port}")]
    private static partial void LogReady(ILogger logger, int port, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read stream backlog: Redis unavailable")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception ex);
}
