using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Fathom.Redis;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Fathom.Functions.Hosting;

/// <summary>
/// OpenTelemetry tracing for every app: ASP.NET Core, HttpClient, our own sources (<c>Fathom.*</c>: function
/// invocations, ingestion steps), Redis commands (<see cref="RedisTracing"/>) and whatever libraries add through <c>ConfigureOpenTelemetryTracerProvider</c>
/// (Fathom.Data adds Npgsql). Only registered when an OTLP endpoint is set (the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>): with nowhere to send spans,
/// no span is recorded at all, so tracing off costs nothing.
/// </summary>
public static class Tracing
{
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string TracesEndpointSetting = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public const string ServiceNameSetting = "OTEL_SERVICE_NAME";

    /// <summary>Every span the apps make themselves comes from a source under this prefix.</summary>
    public const string SourcePrefix = "Fathom.";

    public static bool IsExporting(IConfiguration configuration)
        => !string.IsNullOrWhiteSpace(configuration[EndpointSetting]) || !string.IsNullOrWhiteSpace(configuration[TracesEndpointSetting]);

    /// <summary><c>OTEL_SERVICE_NAME</c>, else the app's name (<c>Knowledge.Functions</c> is "Knowledge").</summary>
    public static string ServiceName(IConfiguration configuration, IHostEnvironment environment)
        => configuration[ServiceNameSetting] is { Length: > 0 } name
            ? name
            : environment.ApplicationName.EndsWith(".Functions", StringComparison.Ordinal) ? environment.ApplicationName[..^".Functions".Length] : environment.ApplicationName;

    public static IHostApplicationBuilder AddTracing(this IHostApplicationBuilder builder)
    {
        if (!IsExporting(builder.Configuration))
        {
            return builder;
        }
        var serviceName = ServiceName(builder.Configuration, builder.Environment);
        RedisTracing.PreferStableDatabaseConventions(builder.Configuration);
        // The exporter reads the other OTEL_EXPORTER_OTLP_* settings (protocol, headers, timeout) itself.
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
            .ConfigureResource(resource => resource.AddService(serviceName))
            .AddSource(SourcePrefix + "*")
            .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsHousekeeping(http.Request.Path))
            .AddHttpClientInstrumentation()
            .AddRedisTracing(builder.Services)
            .SetSampler(new RedisRootSampler(new ParentBasedSampler(new AlwaysOnSampler())))
            .AddOtlpExporter());
        return builder;
    }

    /// <summary>Probes and scrapes arrive every few seconds and say nothing about the work; they are not recorded.</summary>
    private static bool IsHousekeeping(PathString path)
        => path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(MetricsEndpoint.Path, StringComparison.OrdinalIgnoreCase);
}

/// <summary>One span per function invocation, whatever the trigger (attribute names follow OpenTelemetry's FaaS conventions).</summary>
public static class FunctionActivity
{
    public const string SourceName = "Fathom.Functions";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? Start(string function, string trigger, string invocationId, ActivityKind kind = ActivityKind.Internal, ActivityContext parent = default)
    {
        var activity = Source.StartActivity(function, kind, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("faas.trigger", trigger);
            activity.SetTag("faas.invocation_id", invocationId);
            activity.SetTag("fathom.function", function);
        }
        return activity;
    }

    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.AddException(exception);
    }
}
