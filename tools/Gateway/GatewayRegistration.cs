using System.Text.Json;
using StackExchange.Redis;
using Yarp.ReverseProxy.Model;

namespace Fathom.Gateway;

public static class GatewayRegistration
{
    /// <summary>Settings from appsettings.json, then the repo's local.settings.json Values (for Redis and OTLP export), then environment and arguments.</summary>
    public static void AddGatewayConfiguration(this WebApplicationBuilder builder)
    {
        var root = builder.Configuration["Gateway:Root"] ?? FindRoot();
        builder.Configuration["Gateway:Root"] = root;
        var localSettings = Path.Combine(root, "local.settings.json");
        if (File.Exists(localSettings))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(localSettings));
            // The gateway reads the backlog of the apps' stream, so it needs the same Redis and stream name.
            // And the OTLP settings, so that one setting there traces the gateway with the apps.
            foreach (var name in new[] { "RedisConnection", "IngestStream" }.Concat(GatewayTracing.LocalSettings))
            {
                if (doc.RootElement.TryGetProperty("Values", out var values) && values.TryGetProperty(name, out var value) && builder.Configuration[name] is null)
                {
                    builder.Configuration[name] = value.GetString();
                }
            }
        }
    }

    public static void AddAppFleet(this IServiceCollection services, GatewayOptions options)
    {
        services.AddSingleton(TimeProvider.System);
        // Probes bound their own wait by the start deadline; the client adds no timeout of its own.
        services.AddHttpClient(AppProcess.ProbeClient, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IReadOnlyList<AppProcess>>(sp => options.Apps
            .Select(a => ActivatorUtilities.CreateInstance<AppProcess>(sp, a, options, sp.GetRequiredService<IConfiguration>()["Gateway:Root"]!))
            .ToList());
        services.AddSingleton(sp =>
        {
            var setting = sp.GetRequiredService<IConfiguration>()["RedisConnection"];
            var connection = setting is null ? null : new Lazy<Task<ConnectionMultiplexer>>(() => ConnectionMultiplexer.ConnectAsync(setting + ",abortConnect=false"));
            Func<Task<IDatabase?>> redis = async () => connection is null ? null : (await connection.Value).GetDatabase();
            return ActivatorUtilities.CreateInstance<AppFleet>(sp, options, redis);
        });
        services.AddHostedService(sp => sp.GetRequiredService<AppFleet>());
    }

    /// <summary>Before a request is proxied, its app is started if it sleeps (the request waits, like the KEDA interceptor).</summary>
    public static void UseAppWakeUp(this IReverseProxyApplicationBuilder proxy)
    {
        var apps = proxy.ApplicationServices.GetRequiredService<IReadOnlyList<AppProcess>>().ToDictionary(a => a.App.Name, StringComparer.Ordinal);
        var time = proxy.ApplicationServices.GetRequiredService<TimeProvider>();
        proxy.Use(async (context, next) =>
        {
            var app = apps[context.GetReverseProxyFeature().Route.Config.ClusterId!];
            if (app.State == AppState.Failed && app.RetryAt - time.GetUtcNow() is { Ticks: > 0 } wait)
            {
                // Failing fast with the reason beats making every caller wait out another doomed start.
                await Unavailable(context, app.App.Name, $"{app.App.Name} failed to start: {app.Failure}", wait);
                return;
            }
            app.Enter();
            try
            {
                await app.EnsureStartedAsync(context.RequestAborted);
            }
            catch (AppStartException ex)
            {
                app.Leave();
                await Unavailable(context, app.App.Name, ex.Message, app.RetryAt - time.GetUtcNow());
                return;
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The caller went away while the app was starting.
                app.Leave();
                return;
            }
            try
            {
                await next();
            }
            finally
            {
                app.Leave();
            }
        });
    }

    /// <summary>
    /// When an app cannot be reached (it crashed mid-request, or stopped), YARP answers 502/504 with an empty body;
    /// the caller gets problem details saying which app and why instead.
    /// </summary>
    public static void UseProxyErrorProblems(this IReverseProxyApplicationBuilder proxy)
        => proxy.Use(async (context, next) =>
        {
            await next();
            if (context.Features.Get<Yarp.ReverseProxy.Forwarder.IForwarderErrorFeature>() is { } error && !context.Response.HasStarted)
            {
                var app = context.GetReverseProxyFeature().Route.Config.ClusterId;
                await Results.Problem(
                    title: $"{app} did not answer",
                    detail: $"{error.Error}: {error.Exception?.Message ?? "no response"}",
                    statusCode: context.Response.StatusCode is >= 500 ? context.Response.StatusCode : StatusCodes.Status502BadGateway).ExecuteAsync(context);
            }
        });

    private static Task Unavailable(HttpContext context, string app, string detail, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(title: $"{app} is unavailable", detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
    }

    /// <summary>
    /// <c>GET /api/health</c>: every app's state. Sleeping apps (OnDemand) count as healthy, and so do slow ones (on a
    /// busy machine a readiness probe can outlast its 5 s while the app serves); a failed start or an unready app does not.
    /// </summary>
    public static void MapGatewayHealth(this WebApplication app)
    {
        app.MapGet("/health/live", () => Results.Ok("Healthy"));
        app.MapGet("/api/health", async (AppFleet fleet, CancellationToken ct) =>
        {
            var states = await Task.WhenAll(fleet.Apps.Select(async a => (a.App.Name, State: await DescribeAsync(a, ct))));
            var healthy = states.All(s => s.State is "ready" or "idle" or "not built" or "starting" || s.State.StartsWith("slow", StringComparison.Ordinal));
            return Results.Json(new { status = healthy ? "healthy" : "unhealthy", apps = states.ToDictionary(s => s.Name, s => s.State) }, statusCode: healthy ? 200 : 503);
        });
    }

    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(5);

    private static async Task<string> DescribeAsync(AppProcess app, CancellationToken ct)
    {
        switch (app.State)
        {
            case AppState.NotBuilt:
                return "not built";
            case AppState.Idle:
                return "idle";
            case AppState.Starting:
                return "starting";
            case AppState.Failed:
                return $"failed: {app.Failure}";
            default:
                return await app.ProbeReadinessAsync(ReadinessTimeout, ct) switch
                {
                    Readiness.Ready => "ready",
                    Readiness.Slow => $"slow: /health/ready gave no answer within {ReadinessTimeout.TotalSeconds:0} s",
                    _ => "unready",
                };
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
