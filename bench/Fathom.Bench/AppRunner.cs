using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Fathom.Bench;

/// <summary>How to run one build of an app: a native executable, or a dll on the shared runtime (<c>dotnet x.dll</c>).</summary>
public sealed record AppBinary(string App, string Flavour, string Path)
{
    public bool Native => !Path.EndsWith(".dll", StringComparison.Ordinal);

    public bool Exists => File.Exists(Path);
}

/// <summary>One started process (an app, the gateway): output kept in a bounded buffer, killed on dispose.</summary>
public sealed class AppRunner : IAsyncDisposable
{
    private const int OutputLines = 5000;
    private readonly ConcurrentQueue<string> _output = new();

    private AppRunner(Process process, int port)
    {
        Process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120) };
    }

    public Process Process { get; }

    public int Port { get; }

    public HttpClient Client { get; }

    public string Output => string.Join('\n', _output);

    public static AppRunner Start(string file, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string> env, int port)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info };
        var runner = new AppRunner(process, port);
        process.OutputDataReceived += (_, e) => runner.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => runner.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runner;
    }

    public static AppRunner Start(AppBinary binary, IReadOnlyDictionary<string, string> env, int port)
        => binary.Native
            ? Start(binary.Path, [], System.IO.Path.GetDirectoryName(binary.Path)!, env, port)
            : Start("dotnet", [binary.Path], System.IO.Path.GetDirectoryName(binary.Path)!, env, port);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > OutputLines && _output.TryDequeue(out _))
        {
        }
    }

    /// <summary>Waits until the port accepts a TCP connection; the time since <paramref name="since"/> or null if the process died or time ran out.</summary>
    public async Task<TimeSpan?> WaitListeningAsync(Stopwatch since, TimeSpan timeout)
    {
        while (since.Elapsed < timeout)
        {
            if (Process.HasExited)
            {
                return null;
            }
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, Port);
                return since.Elapsed;
            }
            catch (SocketException)
            {
                await Task.Delay(2);
            }
        }
        return null;
    }

    /// <summary>Sends GET until it answers 200 (bounded by <paramref name="timeout"/>); the time since <paramref name="since"/>, or null.</summary>
    public async Task<(TimeSpan? Elapsed, string Last)> WaitOkAsync(string path, string? token, Stopwatch since, TimeSpan timeout)
    {
        var last = "no answer";
        while (since.Elapsed < timeout)
        {
            if (Process.HasExited)
            {
                return (null, $"exited with {Process.ExitCode}");
            }
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            try
            {
                using var response = await Client.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return (since.Elapsed, "200");
                }
                last = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) + " " + await response.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            await Task.Delay(2);
        }
        return (null, last);
    }

    /// <summary>Resident set size and its peak, in MiB, from /proc/&lt;pid&gt;/status.</summary>
    public (double Rss, double Peak) Memory()
    {
        double Read(string[] lines, string field)
            => lines.FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal)) is { } line
                ? double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024
                : double.NaN;
        try
        {
            var lines = File.ReadAllLines($"/proc/{Process.Id}/status");
            return (Read(lines, "VmRSS:"), Read(lines, "VmHWM:"));
        }
        catch (IOException)
        {
            return (double.NaN, double.NaN);
        }
    }

    public async Task StopAsync()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
    }

    /// <summary>SIGTERM (graceful, as a scale-down sends), then up to <paramref name="timeout"/> before SIGKILL.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        if (Process.HasExited)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Client.Dispose();
        Process.Dispose();
    }
}
