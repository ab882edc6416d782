using OpenTelemetry.Trace;

namespace Fathom.Functions.Hosting;

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
