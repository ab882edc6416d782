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
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
    }

    public static void MapMetricsEndpoint(this WebApplication app) => app.MapPrometheusScrapingEndpoint(Path);
}
