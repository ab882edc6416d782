using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Fathom.Gateway;

/// <summary>
/// OpenTelemetry tracing for the gateway, by the apps' convention (shared/Fathom.Functions/Hosting/Tracing.cs, which
/// the gateway does not reference): only when an OTLP endpoint is set (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>, from the environment, the arguments or local.settings.json), service
/// name <c>OTEL_SERVICE_NAME</c> else <c>fathom-gateway</c> (the binary's name, as the apps use theirs).
/// A proxied request is the gateway's server span, YARP's <c>proxy.forwarder</c> span and the HttpClient span of the
/// call to the app; YARP's propagator replaces the caller's <c>traceparent</c> with that client span's, so the app's
/// server span is its child and one trace runs from the gateway through every app.
/// </summary>
public static class GatewayTracing
{
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string TracesEndpointSetting = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public const string ServiceNameSetting = "OTEL_SERVICE_NAME";
    public const string DefaultServiceName = "fathom-gateway";

    /// <summary>YARP's own span source (one <c>proxy.forwarder</c> span per proxied request).</summary>
    public const string YarpSource = "Yarp.ReverseProxy";

    /// <summary>The OpenTelemetry settings the gateway takes from local.settings.json's Values, as the apps do.</summary>
    public static readonly string[] LocalSettings = [EndpointSetting, TracesEndpointSetting, "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS"];

    public static bool IsExporting(IConfiguration configuration)
        => !string.IsNullOrWhiteSpace(configuration[EndpointSetting]) || !string.IsNullOrWhiteSpace(configuration[TracesEndpointSetting]);

    public static void AddGatewayTracing(this WebApplicationBuilder builder)
    {
        if (!IsExporting(builder.Configuration))
        {
            return;
        }
        var serviceName = builder.Configuration[ServiceNameSetting] is { Length: > 0 } name ? name : DefaultServiceName;
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
            .ConfigureResource(resource => resource.AddService(serviceName))
            .AddSource(YarpSource)
            // The gateway's own pages and probes say nothing about the work; the proxied requests do.
            .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsHousekeeping(http.Request.Path))
            // Only the calls that carry a request to an app: not the gateway's liveness probes of its apps.
            .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = request => request.RequestUri?.AbsolutePath != "/health/live")
            .AddOtlpExporter());
    }

    /// <summary>
    /// The environment an app starts with: the gateway's own (so the <c>OTEL_*</c> settings given to it reach every app),
    /// plus the <c>OTEL_*</c> settings it got from its arguments or local.settings.json, less <c>OTEL_SERVICE_NAME</c>:
    /// each app names its spans itself (<c>Knowledge</c>, <c>Ingestion</c>, ...), not after the gateway.
    /// </summary>
    public static void ApplyTo(IConfiguration configuration, IDictionary<string, string?> environment)
    {
        foreach (var (key, value) in configuration.AsEnumerable(makePathsRelative: true))
        {
            if (key.StartsWith("OTEL_", StringComparison.Ordinal) && !key.Contains(':', StringComparison.Ordinal) && value is not null)
            {
                environment[key] = value;
            }
        }
        environment.Remove(ServiceNameSetting);
    }

    private static bool IsHousekeeping(PathString path)
        => path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)
           || path.StartsWithSegments("/api/health", StringComparison.OrdinalIgnoreCase)
           || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
