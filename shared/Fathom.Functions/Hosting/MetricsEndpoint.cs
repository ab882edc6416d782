using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Fathom.Functions.Hosting;

/// <summary>
/// Prometheus text exposition at <c>/metrics</c> (the ServiceMonitor in k8s/ scrapes it). Only the app's port serves
/// it: the gateway and the ingress route <c>/api/...</c> alone, so it is not public.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>Our own meters, ASP.NET Core's request metrics, the runtime's, and Npgsql's pool and command metrics.</summary>
    private static readonly string[] Meters =
    [
        "Fathom.*",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Runtime",
        "Npgsql",
    ];

    public static void AddMetricsEndpoint(this IServiceCollection services)
    {
        services.AddSingleton<FunctionMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddView(WithCardinalityLimit).AddPrometheusExporter());
    }

    /// <summary>
    /// OpenTelemetry allocates each metric's points up front, 2,000 by default: for the fifty-odd instruments of these
    /// meters, megabytes of arrays and several garbage collections in every cold start, and as much idle memory
    /// (bench/ANALYSIS.md). Our label sets are small (functions x outcomes, streams, timers); only request duration
    /// grows with an app's routes x methods x statuses. A series past the limit is still counted, in OpenTelemetry's
    /// overflow series (<c>otel_metric_overflow="true"</c>).
    /// </summary>
    private static MetricStreamConfiguration WithCardinalityLimit(System.Diagnostics.Metrics.Instrument instrument)
        => new() { CardinalityLimit = instrument.Name == "http.server.request.duration" ? 1000 : 100 };

    public static void MapMetricsEndpoint(this WebApplication app) => app.MapPrometheusScrapingEndpoint(Path);
}
