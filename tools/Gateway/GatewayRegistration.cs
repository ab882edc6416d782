using System.Text.Json;
using StackExchange.Redis;
using Yarp.ReverseProxy.Model;

namespace Fathom.Gateway;

public static class GatewayRegistration
{
    /// <summary>Settings from appsettings.json, then the repo's local.settings.json Values (for Redis), then environment and arguments.</summary>
    public static void AddGatewayConfiguration(this WebApplicationBuilder builder)
    {
        var root = builder.Configuration["Gateway:Root"] ?? FindRoot();
        builder.Configuration["Gateway:Root"] = root;
        var localSettings = Path.Combine(root, "local.settings.json");
        if (File.Exists(localSettings))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(localSettings));
            // The gateway reads the backlog of the apps' stream, so it needs the same Redis and stream name.
            foreach (var name in new[] { "RedisConnection", "IngestStream" })
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
        proxy.Use(async (context, next) =>
        {
            var app = apps[context.GetReverseProxyFeature().Route.Config.ClusterId!];
            app.Enter();
            try
            {
                await app.EnsureStartedAsync(context.RequestAborted);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FileNotFoundException)
            {
                app.Leave();
                await Results.Problem(title: "App unavailable", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
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

    /// <summary><c>GET /api/health</c>: every app's readiness; sleeping apps (OnDemand) count as healthy.</summary>
    public static void MapGatewayHealth(this WebApplication app)
    {
        app.MapGet("/health/live", () => Results.Ok("Healthy"));
        app.MapGet("/api/health", async (AppFleet fleet, CancellationToken ct) =>
        {
            var states = await Task.WhenAll(fleet.Apps.Select(async a => (a.App.Name, State: !a.IsBuilt ? "not built" : !a.IsRunning ? "idle" : await a.IsReadyAsync(ct) ? "ready" : "unready")));
            var healthy = states.All(s => s.State is "ready" or "idle" or "not built");
            return Results.Json(new { status = healthy ? "healthy" : "unhealthy", apps = states.ToDictionary(s => s.Name, s => s.State) }, statusCode: healthy ? 200 : 503);
        });
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
