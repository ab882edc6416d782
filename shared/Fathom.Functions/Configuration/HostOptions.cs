using Fathom.Redis.Streams;
using Microsoft.Extensions.Options;

namespace Fathom.Functions.Configuration;

/// <summary>host.json, as far as this host reads it (bound from <c>AzureFunctionsJobHost</c>).</summary>
public sealed class FunctionsHostOptions
{
    /// <summary>Upper bound for one invocation; HTTP answers 504 past it.</summary>
    public TimeSpan FunctionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>When not empty, the only functions this process runs.</summary>
    public List<string> Functions { get; set; } = [];

    public ExtensionsOptions Extensions { get; set; } = new();
}

public sealed class ExtensionsOptions
{
    public HttpExtensionOptions Http { get; set; } = new();

    public RedisStreamOptions RedisStreams { get; set; } = new();
}

public sealed class HttpExtensionOptions
{
    public string RoutePrefix { get; set; } = "api";

    /// <summary>Kestrel's request body limit; functions may set a lower one of their own.</summary>
    public long MaxRequestBodySize { get; set; } = 100 * 1024 * 1024;

    /// <summary>The largest JSON body a function reads (413 past it): JSON is read whole, uploads are multipart.</summary>
    public long MaxJsonBodySize { get; set; } = 4 * 1024 * 1024;
}

/// <summary>Checks host.json at start-up so a bad value stops the app with a clear message.</summary>
public sealed class FunctionsHostOptionsValidator : IValidateOptions<FunctionsHostOptions>
{
    public ValidateOptionsResult Validate(string? name, FunctionsHostOptions options)
    {
        var streams = options.Extensions.RedisStreams;
        var errors = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(message);
            }
        }

        Check(options.FunctionTimeout >= TimeSpan.FromSeconds(1) && options.FunctionTimeout <= TimeSpan.FromHours(1), "host.json functionTimeout must be between 00:00:01 and 01:00:00.");
        Check(streams.MaxBatchSize is >= 1 and <= 1000, "host.json extensions.redisStreams.maxBatchSize must be between 1 and 1000.");
        Check(streams.MaxDeliveries is >= 1 and <= 100, "host.json extensions.redisStreams.maxDeliveries must be between 1 and 100.");
        Check(streams.MaxConcurrentCalls is >= 1 and <= 256, "host.json extensions.redisStreams.maxConcurrentCalls must be between 1 and 256.");
        Check(streams.VisibilityTimeout >= TimeSpan.FromMilliseconds(100), "host.json extensions.redisStreams.visibilityTimeout must be at least 00:00:00.100.");
        Check(streams.PollingInterval >= TimeSpan.FromMilliseconds(10) && streams.PollingInterval <= TimeSpan.FromMinutes(1), "host.json extensions.redisStreams.pollingInterval must be between 10 ms and 1 minute.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
