using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Fathom.Gateway;

/// <summary>
/// Prometheus text at the gateway's <c>/metrics</c> (what <c>./fathom start --observe</c> scrapes beside the apps):
/// the proxied requests, and each app's state as <c>fathom_gateway_app_state{app,state}</c> = 1 for the state it is
/// in, so "an app cannot start" is a query locally as it is in the cluster.
/// </summary>
public static class GatewayMetrics
{
    public const string MeterName = "Fathom.Gateway";

    private static readonly string[] States = ["not built", "idle", "starting", "running", "failed"];

    public static void AddGatewayMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
            .AddPrometheusExporter());
    }

    /// <summary>Creates the app-state gauge once the fleet exists.</summary>
    public static void MapGatewayMetrics(this WebApplication app)
    {
        var apps = app.Services.GetRequiredService<IReadOnlyList<AppProcess>>();
        var meter = app.Services.GetRequiredService<IMeterFactory>().Create(MeterName);
        meter.CreateObservableGauge("fathom.gateway.app_state", () => apps.SelectMany(a => States.Select(s => new Measurement<int>(
            Name(a.State) == s ? 1 : 0,
            new KeyValuePair<string, object?>("app", a.App.Name),
            new KeyValuePair<string, object?>("state", s)))), description: "1 for the state each app is in (not built, idle, starting, running, failed).");
        app.MapPrometheusScrapingEndpoint("/metrics");
    }

    private static string Name(AppState state) => state switch
    {
        AppState.NotBuilt => "not built",
        AppState.Idle => "idle",
        AppState.Starting => "starting",
        AppState.Running => "running",
        _ => "failed",
    };
}
