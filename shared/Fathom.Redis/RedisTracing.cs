using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Instrumentation.StackExchangeRedis;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Fathom.Redis;

/// <summary>
/// A client span per Redis command (XADD on intake, XREADGROUP/XACK/XAUTOCLAIM in the stream trigger, the rate
/// limiter's script, the profile cache's GET/SET, ...), from OpenTelemetry's StackExchange.Redis instrumentation.
/// </summary>
/// <remarks>
/// Why the package and not spans of our own: it works with StackExchange.Redis 3.x (it is built against 2.6 and uses
/// only the profiling API, <c>RegisterProfiler</c>, which 3.x keeps), it is trim- and AOT-clean (a Native AOT publish
/// with it gives no warning; its reflection over the profiled command falls back to the public fields), and it covers
/// every command of every app without touching each call site. With <c>OTEL_SEMCONV_STABILITY_OPT_IN=database</c>
/// (our default) it writes the stable database conventions: <c>db.system.name=redis</c>,
/// <c>db.operation.name</c>, <c>db.namespace</c>, <c>server.address</c>/<c>server.port</c>.
/// <para>
/// Two choices of ours: the multiplexers are opened lazily by <see cref="RedisConnections"/>, so each is handed to the
/// instrumentation when it connects (<see cref="Instrument"/>); and a command made outside any span (the stream
/// trigger polling an empty stream, the backlog sampler) is not recorded (the host's <c>RedisRootSampler</c>): each would
/// be a trace of its own every poll and bury the work. The same commands made inside a request or an invocation are.
/// </para>
/// </remarks>
public sealed class RedisTracing
{
    /// <summary>The package's span source (its scope in OTLP).</summary>
    public const string SourceName = "OpenTelemetry.Instrumentation.StackExchangeRedis";

    /// <summary>
    /// How often the profiled commands become spans. The package's default (10 s) would hold a request's Redis spans
    /// back well after the request; a second keeps traces whole by the time anyone looks.
    /// </summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly List<IConnectionMultiplexer> _pending = [];
    private StackExchangeRedisInstrumentation? _instrumentation;

    /// <summary>Called by <see cref="RedisConnections"/> for each multiplexer it opens.</summary>
    public void Instrument(IConnectionMultiplexer connection)
    {
        StackExchangeRedisInstrumentation? instrumentation;
        lock (_gate)
        {
            instrumentation = _instrumentation;
            if (instrumentation is null)
            {
                // The tracer provider is built when the host starts; a warm-up may connect before that.
                _pending.Add(connection);
                return;
            }
        }
        instrumentation.AddConnection(connection);
    }

    internal void Attach(StackExchangeRedisInstrumentation instrumentation)
    {
        IConnectionMultiplexer[] pending;
        lock (_gate)
        {
            _instrumentation = instrumentation;
            pending = [.. _pending];
            _pending.Clear();
        }
        foreach (var connection in pending)
        {
            instrumentation.AddConnection(connection);
        }
    }

    /// <summary>
    /// The stable database conventions, unless the setting says otherwise. The package reads
    /// <c>OTEL_SEMCONV_STABILITY_OPT_IN</c> from environment variables only (its options read their own environment
    /// configuration, not the app's), so a value from the app's settings, or our default, is put there.
    /// </summary>
    public static void PreferStableDatabaseConventions(IConfiguration configuration)
    {
        const string OptIn = "OTEL_SEMCONV_STABILITY_OPT_IN";
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OptIn)))
        {
            Environment.SetEnvironmentVariable(OptIn, configuration[OptIn] is { Length: > 0 } value ? value : "database");
        }
    }
}

public static class RedisTracingRegistration
{
    /// <summary>Called by the host's tracing registration (Fathom.Functions Hosting/Tracing.cs) when it exports spans.</summary>
    public static TracerProviderBuilder AddRedisTracing(this TracerProviderBuilder tracing, IServiceCollection services)
    {
        services.AddSingleton<RedisTracing>();
        return tracing
            .AddRedisInstrumentation(options => options.FlushInterval = RedisTracing.FlushInterval)
            .ConfigureRedisInstrumentation((provider, instrumentation) => provider.GetRequiredService<RedisTracing>().Attach(instrumentation));
    }
}
