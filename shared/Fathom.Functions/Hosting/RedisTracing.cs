using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Instrumentation.StackExchangeRedis;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Fathom.Functions.Hosting;

/// <summary>
/// A client span per Redis command (XADD on intake, XREADGROUP/XACK/XAUTOCLAIM in the stream trigger, the rate
/// limiter's script, the profile cache's GET/SET, ...), from OpenTelemetry's StackExchange.Redis instrumentation.
/// </summary>
/// <remarks>
/// Why the package and not spans of our own: it works with StackExchange.Redis 3.x (it is built against 2.6 and uses
/// only the profiling API, <c>RegisterProfiler</c>, which 3.x keeps), it is trim- and AOT-clean (a Native AOT publish
/// with it gives no warning; its reflection over the profiled command falls back to the public fields), and it covers
/// every command of every app without touching each call site. With <c>OTEL_SEMCONV_STABILITY_OPT_IN=database</c>
/// (our default, see <see cref="Tracing"/>) it writes the stable database conventions: <c>db.system.name=redis</c>,
/// <c>db.operation.name</c>, <c>db.namespace</c>, <c>server.address</c>/<c>server.port</c>.
/// <para>
/// Two choices of ours: the multiplexers are opened lazily by <see cref="RedisConnections"/>, so each is handed to the
/// instrumentation when it connects (<see cref="Instrument"/>); and a command made outside any span (the stream
/// trigger polling an empty stream, the backlog sampler) is not recorded (<see cref="RedisRootSampler"/>): each would
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
    internal static void PreferStableDatabaseConventions(IConfiguration configuration)
    {
        const string OptIn = "OTEL_SEMCONV_STABILITY_OPT_IN";
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OptIn)))
        {
            Environment.SetEnvironmentVariable(OptIn, configuration[OptIn] is { Length: > 0 } value ? value : "database");
        }
    }
}

internal static class RedisTracingRegistration
{
    internal static TracerProviderBuilder AddRedisTracing(this TracerProviderBuilder tracing, IServiceCollection services)
    {
        services.AddSingleton<RedisTracing>();
        return tracing
            .AddRedisInstrumentation(options => options.FlushInterval = RedisTracing.FlushInterval)
            .ConfigureRedisInstrumentation((provider, instrumentation) => provider.GetRequiredService<RedisTracing>().Attach(instrumentation))
            .SetSampler(new RedisRootSampler(new ParentBasedSampler(new AlwaysOnSampler())));
    }
}

/// <summary>
/// Drops a Redis span that has no parent (a command made outside any traced work) and leaves every other decision to
/// <paramref name="inner"/> (the SDK's default, parent-based always-on; the apps set no <c>OTEL_TRACES_SAMPLER</c>).
/// </summary>
internal sealed class RedisRootSampler(Sampler inner) : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        if (parameters.ParentContext.TraceId == default && IsRedis(parameters.Tags))
        {
            return Drop;
        }
        return inner.ShouldSample(parameters);
    }

    private static bool IsRedis(IEnumerable<KeyValuePair<string, object?>>? tags)
    {
        if (tags is null)
        {
            return false;
        }
        foreach (var (key, value) in tags)
        {
            // db.system.name (stable conventions) or db.system (the package's older ones).
            if (key is "db.system.name" or "db.system" && value is "redis")
            {
                return true;
            }
        }
        return false;
    }
}
