using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Fathom.Bench;

/// <summary>
/// Cold start: exec → first 200 on a real endpoint of the app, for the JIT, ReadyToRun and Native AOT builds,
/// next to a bare ASP.NET Core AOT hello-world. Each (app, build) gets one unmeasured warm-up start (so the page
/// cache holds the binary, as on a node that already pulled the image) and then <c>runs</c> measured starts. The
/// time is split at the moment the port first accepts a TCP connection: before it is process start-up (runtime,
/// host build, DI, Kestrel), after it the first request (authentication, the first database and Redis connections,
/// the first run of the request path). Idle RSS is VmRSS after the first 200 and 1 s of idle.
/// </summary>
public sealed class ColdStartSuite(BenchEnvironment env, Builds builds, int runs, int rssRuns, IReadOnlyCollection<string>? only = null)
{
    /// <summary>The real endpoint each app is timed to; apps without HTTP functions answer /health/live.</summary>
    public static (string Path, bool Token) Endpoint(string app) => app switch
    {
        "Tasks" => ("/api/tasks", true),
        "Knowledge" => ("/api/collections", true),
        "Assistants" => ("/api/v1/models", true),
        "Users" => ("/api/users/me", true),
        "Posts" => ("/api/posts", true),
        "Auth" => ("/api/auth/jwks", false),
        "Web" => ("/", false),
        "HelloAot" => ("/", false),
        _ => ("/health/live", false),
    };

    /// <summary>
    /// The apps whose Native AOT start is measured a second time with OTLP tracing on (issue 16's cost of tracing):
    /// the endpoint refuses connections, so the figure is the instrumentation and exporter, not a collector's answers.
    /// </summary>
    public static readonly string[] TracedApps = ["Knowledge", "Ingestion"];

    public const string TracedFlavour = Builds.Aot + "+tracing";

    public async Task<JsonObject> RunAsync()
    {
        var token = env.Token();
        var results = new JsonArray();
        var targets = new List<(string App, string Flavour)> { ("HelloAot", Builds.Aot) };
        targets.AddRange(builds.Apps.SelectMany(app => Builds.Flavours.Select(f => (app, f))));
        targets.AddRange(TracedApps.Select(app => (app, TracedFlavour)));
        var traced = new Dictionary<string, string>(env.AppSettings) { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{BenchEnvironment.FreePort()}" };
        foreach (var (app, flavour) in targets.Where(t => only is null || only.Contains(t.App, StringComparer.OrdinalIgnoreCase)))
        {
            var (path, needsToken) = Endpoint(app);
            var entry = new JsonObject { ["app"] = app, ["flavour"] = flavour, ["endpoint"] = path };
            results.Add(entry);
            var settings = flavour == TracedFlavour ? traced : env.AppSettings;
            var (binary, error) = builds.Find(app, flavour == TracedFlavour ? Builds.Aot : flavour);
            if (binary is null)
            {
                entry["error"] = error;
                Log.Line($"cold start {app} {flavour}: skipped ({error})");
                continue;
            }
            entry["binarySizeMiB"] = Stats.Round(new FileInfo(binary.Path).Length / 1048576d);
            var total = new List<double>();
            var listen = new List<double>();
            var rss = new List<double>();
            var peak = new List<double>();
            string? failure = null;
            for (var i = 0; i <= runs && failure is null; i++)
            {
                var measureRss = i >= 1 && i <= rssRuns;
                var run = await StartOnceAsync(binary, settings, path, needsToken ? token : null, measureRss);
                if (run.Error is not null)
                {
                    failure = run.Error;
                    break;
                }
                if (i == 0)
                {
                    continue; // warm-up
                }
                total.Add(run.TotalMs);
                listen.Add(run.ListenMs);
                if (measureRss)
                {
                    rss.Add(run.RssMiB);
                    peak.Add(run.PeakMiB);
                }
            }
            if (failure is not null)
            {
                entry["error"] = failure;
                Log.Line($"cold start {app} {flavour}: FAILED {failure}");
                continue;
            }
            entry["runs"] = total.Count;
            entry["medianMs"] = Stats.Round(Stats.Median(total));
            entry["minMs"] = Stats.Round(total.Min());
            entry["maxMs"] = Stats.Round(total.Max());
            entry["medianListenMs"] = Stats.Round(Stats.Median(listen));
            entry["medianFirstRequestMs"] = Stats.Round(Stats.Median(total.Zip(listen, (t, l) => t - l).ToList()));
            entry["idleRssMiB"] = Stats.Round(Stats.Median(rss));
            entry["peakRssMiB"] = Stats.Round(Stats.Median(peak));
            entry["samplesMs"] = new JsonArray(total.Select(t => (JsonNode)Stats.Round(t)).ToArray());
            Log.Line($"cold start {app,-12} {flavour}: median {entry["medianMs"]} ms (listening {entry["medianListenMs"]} ms), idle RSS {entry["idleRssMiB"]} MiB");
        }
        return new JsonObject { ["runs"] = runs, ["rssRuns"] = rssRuns, ["results"] = results };
    }

    private sealed record Run(double TotalMs, double ListenMs, double RssMiB, double PeakMiB, string? Error);

    private static async Task<Run> StartOnceAsync(AppBinary binary, IReadOnlyDictionary<string, string> settings, string path, string? token, bool measureRss)
    {
        var port = BenchEnvironment.FreePort();
        var clock = Stopwatch.StartNew();
        await using var app = AppRunner.Start(binary, settings, port);
        var listening = await app.WaitListeningAsync(clock, TimeSpan.FromSeconds(60));
        if (listening is null)
        {
            return new Run(0, 0, 0, 0, $"did not listen: {Tail(app.Output)}");
        }
        var (ok, last) = await app.WaitOkAsync(path, token, clock, TimeSpan.FromSeconds(60));
        if (ok is null)
        {
            return new Run(0, 0, 0, 0, $"no 200 from {path} (last: {Trim(last)}): {Tail(app.Output)}");
        }
        var (rss, peak) = (double.NaN, double.NaN);
        if (measureRss)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            (rss, peak) = app.Memory();
        }
        return new Run(ok.Value.TotalMilliseconds, listening.Value.TotalMilliseconds, rss, peak, null);
    }

    private static string Trim(string text) => text.Length > 300 ? text[..300] : text;

    private static string Tail(string output) => Trim(string.Join(" / ", output.Split('\n').TakeLast(5)));
}
