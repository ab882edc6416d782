using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fathom.Testing;

/// <summary>
/// A function app running as its own process (the built binary, as the gateway and the cluster run it),
/// on a free loopback port, with settings passed as environment variables.
/// </summary>
public sealed class FunctionAppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private FunctionAppProcess(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Name { get; }

    public int Port { get; }

    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The operating system's id of the process (for /proc/&lt;pid&gt;/status).</summary>
    public int ProcessId => _process.Id;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public string Output => string.Join('\n', _output);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A gateway port offset under which every app port (the gateway's 7101-7199 plus the offset) is free now, kept
    /// below the kernel's ephemeral range (32768 and up) where the clients of every other test take their local ports.
    /// </summary>
    public static int FreePortOffset()
    {
        for (var attempt = 0; ; attempt++)
        {
            var offset = 1000 + Random.Shared.Next(0, 24000);
            if (Enumerable.Range(7101, 99).All(port => IsFree(port + offset)) || attempt > 50)
            {
                return offset;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts <c>functions/{app}</c>'s build and waits until it answers /health/live.</summary>
    public static Task<FunctionAppProcess> StartAsync(string app, IReadOnlyDictionary<string, string> settings, int? port = null)
        => StartAsync(app, RepoPaths.AppAssembly(app), settings, port);

    public static async Task<FunctionAppProcess> StartAsync(string name, string assembly, IReadOnlyDictionary<string, string> settings, int? port = null)
    {
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"Build the solution first: {assembly} is missing.");
        }
        var chosen = port ?? FreePort();
        // A .dll runs on the shared runtime; anything else is a native (AOT) executable.
        var native = !assembly.EndsWith(".dll", StringComparison.Ordinal);
        var info = new ProcessStartInfo(native ? assembly : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!native)
        {
            info.ArgumentList.Add(assembly);
        }
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{chosen}";
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var app = new FunctionAppProcess(name, process, chosen);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { app._output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { app._output.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await app.WaitUntilLiveAsync(TimeSpan.FromSeconds(60));
        return app;
    }

    private async Task WaitUntilLiveAsync(TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var response = await Client.GetAsync("/health/live");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{Name} did not become live in {timeout}:\n{Output}");
    }

    /// <summary>Waits until the output holds <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException($"'{text}' did not appear in {Name}'s output:\n{Output}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: the process dies mid-way, as a crashed or evicted pod does.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>SIGTERM: the graceful stop a Kubernetes scale-down sends.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill!.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        Client.Dispose();
        _process.Dispose();
        await Task.CompletedTask;
    }

    public override string ToString() => new StringBuilder().Append(Name).Append(" :").Append(Port).ToString();
}
