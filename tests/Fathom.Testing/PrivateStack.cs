using System.Diagnostics;

namespace Fathom.Testing;

/// <summary>
/// A Postgres (with pgvector) and a Redis of one test's own, started by <c>scripts/stack.sh</c> on free ports in a
/// temporary folder, so the test may stop and restart them while every other test keeps the shared stack.
/// </summary>
public sealed class PrivateStack : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;

    private PrivateStack(string folder, int postgresPort, int redisPort)
    {
        Folder = folder;
        _environment = new()
        {
            ["FATHOM_STACK_DIR"] = folder,
            ["FATHOM_PG_PORT"] = postgresPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FATHOM_REDIS_PORT"] = redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    public string Folder { get; }

    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    public string Postgres => Settings["PostgresConnection"];

    public string Redis => Settings["RedisConnection"];

    public string VectorStore => Settings["VectorStoreConnection"];

    public static async Task<PrivateStack> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("fathom-private-stack-").FullName;
        var stack = new PrivateStack(folder, FunctionAppProcess.FreePort(), FunctionAppProcess.FreePort());
        await stack.UpAsync();
        stack.Settings = File.ReadAllLines(Path.Combine(folder, "stack.env"))
            .Select(line => line.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        return stack;
    }

    /// <summary>Starts whatever part is down (and, the first time, everything).</summary>
    public Task UpAsync() => RunAsync("up");

    /// <summary>Stops one part: <c>postgres</c> or <c>redis</c> (a fast shutdown, as a node drain or a crash-restart does).</summary>
    public Task StopAsync(string part) => RunAsync("stop", part);

    private async Task RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "stack.sh"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/stack.sh {string.Join(' ', args)} failed ({process.ExitCode}):\n{await output}{await errors}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("down");
        }
        finally
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
