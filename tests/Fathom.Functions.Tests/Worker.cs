using Fathom.Testing;
using StackExchange.Redis;

namespace Fathom.Functions.Tests;

/// <summary>Starts the test worker app with its own stream and host id, so tests never share keys.</summary>
internal sealed class Worker
{
    public Worker()
    {
        Stream = $"test:work:{Guid.NewGuid():N}";
        HostId = $"test-host-{Guid.NewGuid():N}";
    }

    public string Stream { get; }

    public string HostId { get; }

    public Dictionary<string, string> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["RedisConnection"] = TestStack.Redis,
            ["WorkStream"] = Stream,
            ["TickSchedule"] = "*/1 * * * * *",
            ["FunctionsHost__Id"] = HostId,
            ["FunctionsHost__Key"] = "test-host-key",
            ["AzureFunctionsJobHost__extensions__redisStreams__visibilityTimeout"] = "00:00:00.600",
            ["AzureFunctionsJobHost__extensions__redisStreams__maxDeliveries"] = "3",
            ["AzureFunctionsJobHost__extensions__redisStreams__pollingInterval"] = "00:00:00.050",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    public Task<FunctionAppProcess> StartAsync(params (string Key, string Value)[] extra)
        => FunctionAppProcess.StartAsync("worker", Path.Combine(
            RepoPaths.Root, "tests", "Fathom.Functions.Tests.Worker", "bin", RepoPaths.Configuration, "net10.0", "Fathom.Functions.Tests.Worker.dll"), Settings(extra));

    public static async Task<IDatabase> RedisAsync() => (await ConnectionMultiplexer.ConnectAsync(TestStack.Redis)).GetDatabase();

    /// <summary>The app's <c>fathom_function_invocations_total</c> for one function and outcome, as Prometheus scrapes it (0 when absent).</summary>
    public static async Task<long> InvocationsAsync(FunctionAppProcess app, string function, string outcome)
    {
        var match = System.Text.RegularExpressions.Regex.Match(await app.Client.GetStringAsync("/metrics"),
            $$"""fathom_function_invocations_total\{[^}]*function="{{function}}"[^}]*outcome="{{outcome}}"[^}]*\} (\d+)""");
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>A gauge's value at /metrics for the series whose labels include <paramref name="label"/> (e.g. <c>function="Tick"</c>).</summary>
    public static async Task<double?> GaugeAsync(FunctionAppProcess app, string metric, string label)
    {
        var match = System.Text.RegularExpressions.Regex.Match(await app.Client.GetStringAsync("/metrics"),
            $$"""(?m)^{{metric}}\{[^}]*{{System.Text.RegularExpressions.Regex.Escape(label)}}[^}]*\} ([0-9.eE+-]+)""");
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    public static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }
            await Task.Delay(50);
        }
    }
}
