using System.Diagnostics;

namespace Fathom.Gateway;

/// <summary>One function app's process as the gateway runs it: started on demand, stopped gracefully (SIGTERM).</summary>
public sealed partial class AppProcess(AppOptions app, GatewayOptions options, string root, TimeProvider time, ILogger<AppProcess> logger) : IAsyncDisposable
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _process;
    private long _lastUsed = time.GetUtcNow().UtcTicks;
    private int _inFlight;

    public AppOptions App => app;

    public bool IsRunning => _process is { HasExited: false };

    public bool IsBuilt => File.Exists(BinaryPath);

    public int InFlight => Volatile.Read(ref _inFlight);

    public TimeSpan Idle => time.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _lastUsed), TimeSpan.Zero);

    public Uri Address => new($"http://127.0.0.1:{app.Port}");

    public void Enter()
    {
        Interlocked.Increment(ref _inFlight);
        Touch();
    }

    public void Leave()
    {
        Interlocked.Decrement(ref _inFlight);
        Touch();
    }

    public void Touch() => Interlocked.Exchange(ref _lastUsed, time.GetUtcNow().UtcTicks);

    /// <summary>Starts the process if it is not running and waits until it answers /health/live.</summary>
    public async Task EnsureStartedAsync(CancellationToken ct)
    {
        if (IsRunning)
        {
            return;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (IsRunning)
            {
                return;
            }
            var started = Stopwatch.StartNew();
            var (path, args) = Command();
            if (!IsBuilt)
            {
                throw new FileNotFoundException($"{app.Name} is not built ({BinaryPath}).");
            }
            var info = new ProcessStartInfo(path) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }
            info.Environment["ASPNETCORE_URLS"] = Address.ToString().TrimEnd('/');
            var process = new Process { StartInfo = info };
            var prefix = $"[{app.Name.ToLowerInvariant()}] ";
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Console.Out.WriteLine(prefix + e.Data); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine(prefix + e.Data); } };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
            await WaitLiveAsync(process, ct);
            Touch();
            LogStarted(logger, app.Name, started.ElapsedMilliseconds);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        try
        {
            using var response = await Probe.GetAsync(new Uri(Address, "/health/ready"), ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM, then up to 30 s for the app to drain before it is killed.</summary>
    public async Task StopAsync(string reason)
    {
        await _gate.WaitAsync();
        try
        {
            if (_process is not { HasExited: false } process)
            {
                return;
            }
            LogStopping(logger, app.Name, reason);
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term!.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
            _process = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task WaitLiveAsync(Process process, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(60);
        while (time.GetUtcNow() < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{app.Name} exited with code {process.ExitCode} while starting.");
            }
            try
            {
                using var response = await Probe.GetAsync(new Uri(Address, "/health/live"), ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(10, ct);
        }
        throw new TimeoutException($"{app.Name} did not answer /health/live within 60 s.");
    }

    private bool Aot => options.Binaries.Equals("Aot", StringComparison.OrdinalIgnoreCase);

    /// <summary>The app's build output: the Native AOT executable, or the framework-dependent dll.</summary>
    private string BinaryPath => Aot
        ? Path.Combine(root, "functions", app.Name, "bin", "Release", "net10.0", "linux-x64", "publish", $"{app.Name}.Functions")
        : Path.Combine(root, "functions", app.Name, "bin", options.Binaries, "net10.0", $"{app.Name}.Functions.dll");

    private (string Path, string[] Args) Command() => Aot ? (BinaryPath, []) : ("dotnet", [BinaryPath]);

    public async ValueTask DisposeAsync()
    {
        await StopAsync("gateway stopping");
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{App} is up ({Milliseconds} ms from start to live)")]
    private static partial void LogStarted(ILogger logger, string app, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping {App}: {Reason}")]
    private static partial void LogStopping(ILogger logger, string app, string reason);
}
