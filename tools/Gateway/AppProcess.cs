using System.Diagnostics;
using System.Globalization;

namespace Fathom.Gateway;

/// <summary>Where an app is in its life, as <c>/api/health</c> shows it.</summary>
public enum AppState
{
    NotBuilt,
    Idle,
    Starting,
    Running,
    Failed,
}

/// <summary>A running app's answer to its readiness probe.</summary>
public enum Readiness
{
    Ready,
    Unready,
    Slow,
}

/// <summary>A start that did not end with the app answering <c>/health/live</c>; the reason is what <c>/api/health</c> shows.</summary>
public sealed class AppStartException(string app, string reason, Exception? inner = null) : Exception($"{app} failed to start: {reason}", inner)
{
    public string Reason => reason;
}

/// <summary>
/// One function app's process as the gateway runs it: started on demand, probed until live within the start
/// deadline, stopped gracefully (SIGTERM, then SIGKILL). Nothing here throws anything but
/// <see cref="AppStartException"/> (or cancellation of the caller's token), so the gateway outlives every app.
/// </summary>
public sealed partial class AppProcess(AppOptions app, GatewayOptions options, string root, TimeProvider time, IHttpClientFactory http, ILogger<AppProcess> logger, IConfiguration configuration) : IAsyncDisposable
{
    public const string ProbeClient = "probe";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _process;
    private long _lastUsed = time.GetUtcNow().UtcTicks;
    private int _inFlight;
    private volatile bool _starting;
    private volatile string? _failure;
    private int _failures;
    private long _retryAt;
    private long _startedAt;

    public AppOptions App => app;

    public bool IsRunning => _process is { HasExited: false };

    public bool IsBuilt => app.Command.Count > 0 || File.Exists(BinaryPath);

    public AppState State => !IsBuilt ? AppState.NotBuilt
        : _starting ? AppState.Starting
        : _failure is not null ? AppState.Failed
        : IsRunning ? AppState.Running
        : AppState.Idle;

    /// <summary>Why the last start failed (null once a start succeeds).</summary>
    public string? Failure => _failure;

    /// <summary>After a failed start, when the next may begin: the wait doubles from 1 s up to <see cref="GatewayOptions.MaxRetryDelay"/>.</summary>
    public DateTimeOffset RetryAt => new(Interlocked.Read(ref _retryAt), TimeSpan.Zero);

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

    /// <summary>Starts the process if it is not running and waits until it answers /health/live, at most <see cref="GatewayOptions.StartTimeout"/>.</summary>
    /// <exception cref="AppStartException">The app is not built, exited, or did not answer in time (it is then stopped).</exception>
    public async Task EnsureStartedAsync(CancellationToken ct)
    {
        if (IsRunning && !_starting)
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
            _starting = true;
            try
            {
                await StartAsync(ct);
                _failure = null;
                Interlocked.Exchange(ref _startedAt, time.GetUtcNow().UtcTicks);
            }
            catch (AppStartException ex)
            {
                var delay = Failed(ex.Reason);
                LogStartFailed(logger, app.Name, ex.Reason, delay.TotalSeconds);
                await KillAsync();
                throw;
            }
            catch (OperationCanceledException)
            {
                // The caller gave up (a client went away, the gateway is stopping): a half-started app is not left behind.
                await KillAsync();
                throw;
            }
            finally
            {
                _starting = false;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StartAsync(CancellationToken ct)
    {
        if (!IsBuilt)
        {
            throw new AppStartException(app.Name, $"not built ({BinaryPath} is missing; run 'dotnet build Functions.sln')");
        }
        await KillAsync();
        if (!PortIsFree())
        {
            // Another process answers there: its /health/live would pass for this app's while this app fails to bind.
            throw new AppStartException(app.Name, $"port {app.Port} is taken by another process (a second gateway, or an app left running?)");
        }
        var started = Stopwatch.StartNew();
        var (path, args) = Command();
        var info = new ProcessStartInfo(path) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["ASPNETCORE_URLS"] = Address.ToString().TrimEnd('/');
        GatewayTracing.ApplyTo(configuration, info.Environment);
        var process = new Process { StartInfo = info };
        var prefix = $"[{app.Name.ToLowerInvariant()}] ";
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Console.Out.WriteLine(prefix + e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine(prefix + e.Data); } };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new AppStartException(app.Name, $"cannot run {path}: {ex.Message}", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitLiveAsync(process, ct);
        Touch();
        LogStarted(logger, app.Name, started.ElapsedMilliseconds);
    }

    /// <summary>Probes until live; each probe may take whatever is left of the start deadline (a busy machine answers slowly).</summary>
    private async Task WaitLiveAsync(Process process, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + options.StartTimeout;
        var client = http.CreateClient(ProbeClient);
        string? lastError = null;
        while (time.GetUtcNow() is var now && now < deadline)
        {
            if (process.HasExited)
            {
                throw new AppStartException(app.Name, $"exited with code {process.ExitCode} while starting");
            }
            using var probe = CancellationTokenSource.CreateLinkedTokenSource(ct);
            probe.CancelAfter(deadline - now);
            try
            {
                using var response = await client.GetAsync(new Uri(Address, "/health/live"), probe.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                lastError = $"/health/live answered {(int)response.StatusCode}";
            }
            catch (HttpRequestException ex)
            {
                // Not listening yet.
                lastError = ex.Message;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                lastError = "the last probe was still waiting at the deadline";
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
        }
        throw new AppStartException(app.Name, $"did not answer /health/live within {options.StartTimeout.TotalSeconds:0} s ({lastError ?? "no probe answered"})");
    }

    /// <summary>
    /// When the process has ended without being asked to (a crash), says why and when to start it again: an app that
    /// dies right after each start is retried with the same growing backoff as one that cannot start. Returns false
    /// when it is running (or was stopped on purpose).
    /// </summary>
    public bool NoticeExit()
    {
        if (_process is not { HasExited: true } process || _starting)
        {
            return false;
        }
        var reason = $"exited with code {process.ExitCode} after {(time.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _startedAt), TimeSpan.Zero)).TotalSeconds:0} s";
        process.Dispose();
        _process = null;
        var delay = Failed(reason);
        LogExited(logger, app.Name, reason, delay.TotalSeconds);
        return true;
    }

    /// <summary>Records a failure; the wait before the next start doubles from 1 s unless the app had been up a good while.</summary>
    private TimeSpan Failed(string reason)
    {
        if (_failure is null && time.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _startedAt), TimeSpan.Zero) > options.MaxRetryDelay)
        {
            _failures = 0;
        }
        _failure = reason;
        var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Min(_failures++, 20)), options.MaxRetryDelay.TotalSeconds));
        Interlocked.Exchange(ref _retryAt, (time.GetUtcNow() + delay).UtcTicks);
        return delay;
    }

    /// <summary>
    /// What /health/ready says within <paramref name="timeout"/>: 2xx is ready, another answer or a refused connection
    /// is unready, no answer in time is slow (the process is up and the proxy still waits for it, as for any request).
    /// </summary>
    public async Task<Readiness> ProbeReadinessAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(ct);
        probe.CancelAfter(timeout);
        try
        {
            using var response = await http.CreateClient(ProbeClient).GetAsync(new Uri(Address, "/health/ready"), probe.Token);
            return response.IsSuccessStatusCode ? Readiness.Ready : Readiness.Unready;
        }
        catch (HttpRequestException)
        {
            return Readiness.Unready;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Readiness.Slow;
        }
    }

    /// <summary>SIGTERM, then up to 30 s for the app to drain before it is killed. Never throws.</summary>
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
            if (!Terminate(process.Id))
            {
                await KillAsync();
                return;
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                LogKilled(logger, app.Name);
            }
            await KillAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the process now if it still runs and forgets it.</summary>
    private async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It exited between the check and the kill.
        }
        finally
        {
            process.Dispose();
        }
    }

    private bool PortIsFree()
    {
        try
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, app.Port);
            probe.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private bool Terminate(int pid)
    {
        try
        {
            using var term = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]);
            term?.WaitForExit(TimeSpan.FromSeconds(5));
            return term is { HasExited: true, ExitCode: 0 };
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            LogNoSigterm(logger, ex, app.Name);
            return false;
        }
    }

    private bool Aot => options.Binaries.Equals("Aot", StringComparison.OrdinalIgnoreCase);

    /// <summary>The app's build output: the Native AOT executable, or the framework-dependent dll.</summary>
    private string BinaryPath => Aot
        ? Path.Combine(root, "functions", app.Name, "bin", "Release", "net10.0", "linux-x64", "publish", $"{app.Name}.Functions")
        : Path.Combine(root, "functions", app.Name, "bin", options.Binaries, "net10.0", $"{app.Name}.Functions.dll");

    private (string Path, IReadOnlyList<string> Args) Command() => app.Command switch
    {
        [var file, .. var args] => (file, args),
        _ => Aot ? (BinaryPath, []) : ("dotnet", [BinaryPath]),
    };

    public async ValueTask DisposeAsync()
    {
        await StopAsync("gateway stopping");
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{App} is up ({Milliseconds} ms from start to live)")]
    private static partial void LogStarted(ILogger logger, string app, long milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{App} failed to start: {Reason}; next attempt in {Seconds} s")]
    private static partial void LogStartFailed(ILogger logger, string app, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{App} {Reason}; starting it again in {Seconds} s")]
    private static partial void LogExited(ILogger logger, string app, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping {App}: {Reason}")]
    private static partial void LogStopping(ILogger logger, string app, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{App} did not stop within 30 s of SIGTERM; killing it")]
    private static partial void LogKilled(ILogger logger, string app);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot send SIGTERM to {App}; killing it")]
    private static partial void LogNoSigterm(ILogger logger, Exception ex, string app);
}
