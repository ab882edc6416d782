using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Fathom.Bench;

/// <summary>The local gateway (tools/Gateway, Release build) on a free port, its apps shifted by a free port offset.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private GatewayProcess(AppRunner runner, int offset)
    {
        Runner = runner;
        Offset = offset;
    }

    public AppRunner Runner { get; }

    public int Offset { get; }

    public HttpClient Client => Runner.Client;

    public static async Task<GatewayProcess> StartAsync(BenchEnvironment env, string mode, string only, string binaries, string idle = "00:02:00", IReadOnlyDictionary<string, string>? extra = null)
    {
        var dll = Path.Combine(env.Root, "tools", "Gateway", "bin", "Release", "net10.0", "fathom-gateway.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("Build the gateway first (bench/run.sh does: dotnet build tools/Gateway -c Release).", dll);
        }
        var port = BenchEnvironment.FreePort();
        // The apps' usual ports are 7101..7108; shift them to a free range (never the usual ones, used by './fathom start').
        var offset = 0;
        for (var attempt = 0; attempt < 50 && offset == 0; attempt++)
        {
            var candidate = 20_000 + Random.Shared.Next(0, 20_000);
            if (Enumerable.Range(7101, 8).All(p => !BenchEnvironment.PortOpen(p + candidate)))
            {
                offset = candidate;
            }
        }
        var settings = new Dictionary<string, string>(env.AppSettings)
        {
            ["Gateway__Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Gateway__Mode"] = mode,
            ["Gateway__Only"] = only,
            ["Gateway__Binaries"] = binaries,
            ["Gateway__PortOffset"] = offset.ToString(CultureInfo.InvariantCulture),
            ["Gateway__IdleTimeout"] = idle,
            ["Gateway__Root"] = env.Root,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value; // the gateway's environment is its apps' environment too
        }
        var runner = AppRunner.Start("dotnet", [dll], env.Root, settings, port);
        var clock = Stopwatch.StartNew();
        if ((await runner.WaitOkAsync("/health/live", null, clock, TimeSpan.FromSeconds(60))).Elapsed is null)
        {
            var output = runner.Output;
            await runner.DisposeAsync();
            throw new InvalidOperationException($"The gateway did not start: {output}");
        }
        return new GatewayProcess(runner, offset);
    }

    public async Task<string?> AppStateAsync(string app)
    {
        try
        {
            using var response = await Client.GetAsync("/api/health");
            var health = await response.Content.ReadFromJsonAsync<JsonElement>();
            return health.GetProperty("apps").TryGetProperty(app, out var state) ? state.GetString() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Waits (bounded) until the gateway reports <paramref name="app"/> in <paramref name="state"/>.</summary>
    public async Task<bool> WaitStateAsync(string app, string state, TimeSpan timeout, Func<Task>? meanwhile = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await AppStateAsync(app) == state)
            {
                return true;
            }
            if (meanwhile is not null)
            {
                await meanwhile();
            }
            await Task.Delay(200);
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM lets the gateway stop its apps (SIGTERM each); SIGKILL would orphan them.
        await Runner.TerminateAsync(TimeSpan.FromSeconds(40));
        await Runner.DisposeAsync();
    }
}

/// <summary>
/// Throughput of an authenticated GET /api/tasks (a page of 20 tasks) under wrk on loopback: through the gateway
/// (YARP) and straight to the Tasks app, which the gateway runs (Eager, Binaries = Aot when built, else Release).
/// </summary>
public sealed class ThroughputSuite(BenchEnvironment env, Builds builds, int seconds, int connections)
{
    public async Task<JsonObject> RunAsync()
    {
        var result = new JsonObject();
        var wrk = Machine.Run("sh", "-c", "command -v wrk");
        if (wrk.Length == 0)
        {
            result["error"] = "wrk is not installed (bench/run.sh installs it with apt-get)";
            return result;
        }
        var binaries = builds.Find("Tasks", Builds.Aot).Binary is not null ? "Aot" : "Release";
        var limiter = File.ReadAllText(Path.Combine(env.Root, "functions", "Tasks", "Program.cs")).Contains("AddRateLimiting", StringComparison.Ordinal);
        result["binaries"] = binaries;
        result["tool"] = $"wrk -t2 -c{connections} -d{seconds}s --latency (loopback)";
        result["rateLimiter"] = limiter
            ? "on (Fathom.RateLimiting in Tasks: Redis GCRA per caller and per IP, budgets set far above the load)"
            : "not present in the Tasks app";

        await using var gateway = await GatewayProcess.StartAsync(env, "Eager", "Tasks", binaries);
        if (!await gateway.WaitStateAsync("Tasks", "ready", TimeSpan.FromSeconds(90)))
        {
            result["error"] = "Tasks did not become ready behind the gateway: " + gateway.Runner.Output;
            return result;
        }
        var token = env.Token();
        var client = gateway.Client;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        for (var i = 0; i < 20; i++)
        {
            using var created = await client.PostAsJsonAsync("/api/tasks", new { title = $"Benchmark task {i}", description = "A task the load test lists." });
            created.EnsureSuccessStatusCode();
        }
        var direct = $"http://127.0.0.1:{7106 + gateway.Offset}/api/tasks";
        var proxied = $"http://127.0.0.1:{gateway.Runner.Port}/api/tasks";
        RunWrk(proxied, token, 3, connections); // warm-up (JIT of the gateway, connection pools)
        result["gateway"] = RunWrk(proxied, token, seconds, connections);
        Log.Line($"throughput via gateway: {result["gateway"]!["requestsPerSecond"]} req/s, p50 {result["gateway"]!["p50Ms"]} ms");
        result["direct"] = RunWrk(direct, token, seconds, connections);
        Log.Line($"throughput direct: {result["direct"]!["requestsPerSecond"]} req/s, p50 {result["direct"]!["p50Ms"]} ms");
        if (limiter)
        {
            var keys = 0;
            await foreach (var _ in env.Redis.GetServers()[0].KeysAsync(pattern: env.RateLimitPrefix + ":*"))
            {
                keys++;
            }
            result["rateLimiterBudgetsSeen"] = keys;
        }
        return result;
    }

    public static JsonObject RunWrk(string url, string token, int seconds, int connections)
    {
        var output = Machine.Run("wrk", "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-H", $"Authorization: Bearer {token}", url);
        double Duration(string value)
        {
            var m = Regex.Match(value, @"^([\d.]+)(us|ms|s|m)$");
            if (!m.Success)
            {
                return double.NaN;
            }
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch { "us" => n / 1000, "ms" => n, "s" => n * 1000, _ => n * 60_000 };
        }
        string? Find(string pattern) => Regex.Match(output, pattern, RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;
        var requests = Find(@"^\s*(\d+) requests in");
        return new JsonObject
        {
            ["requestsPerSecond"] = double.TryParse(Find(@"^Requests/sec:\s+([\d.]+)"), NumberStyles.Float, CultureInfo.InvariantCulture, out var rps) ? Math.Round(rps) : null,
            ["requests"] = requests is null ? null : long.Parse(requests, CultureInfo.InvariantCulture),
            ["non2xx"] = long.TryParse(Find(@"Non-2xx or 3xx responses:\s+(\d+)"), out var bad) ? bad : 0,
            ["socketErrors"] = Find(@"^\s*(Socket errors:.*)$"),
            ["meanMs"] = Stats.Round(Duration(Find(@"^\s*Latency\s+(\S+)") ?? ""), 2),
            ["p50Ms"] = Stats.Round(Duration(Find(@"^\s*50%\s+(\S+)") ?? ""), 2),
            ["p90Ms"] = Stats.Round(Duration(Find(@"^\s*90%\s+(\S+)") ?? ""), 2),
            ["p99Ms"] = Stats.Round(Duration(Find(@"^\s*99%\s+(\S+)") ?? ""), 2),
        };
    }
}

/// <summary>
/// Scale from zero through the gateway in OnDemand mode with the Native AOT binaries: an HTTP app (Tasks) started by
/// its first request, which waits, against warm requests; and the stream app (Ingestion) started by the backlog an
/// upload leaves on its stream (the gateway looks once a second, as KEDA's scaler polls), against a warm Ingestion.
/// </summary>
public sealed class ScaleFromZeroSuite(BenchEnvironment env, Builds builds, int runs)
{
    public async Task<JsonObject> RunAsync()
    {
        const string idle = "00:00:02";
        var result = new JsonObject { ["mode"] = $"OnDemand, IdleTimeout={idle}" };
        var starts = new List<Match>();

        // Binaries=Aot as the cluster would ship; an app without a Native AOT build is measured with its Release build.
        var tasksBinaries = builds.Find("Tasks", Builds.Aot).Binary is not null ? "Aot" : "Release";
        await using (var gateway = await GatewayProcess.StartAsync(env, "OnDemand", "Tasks", tasksBinaries, idle))
        {
            var client = gateway.Client;
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", env.Token());
            var tasks = await TasksAsync(gateway, client);
            tasks["binaries"] = tasksBinaries;
            result["tasks"] = tasks;
            starts.AddRange(StartLines(gateway.Runner.Output));
        }

        // The gateway runs apps with the repo root as working (= content) directory; the host's configuration
        // file watcher then puts an inotify watch on every folder of the repo before the app listens. The same
        // measurement with that watcher off (a host setting; see bench/ANALYSIS.md) shows what it costs.
        var reloadOff = new Dictionary<string, string> { ["DOTNET_hostBuilder__reloadConfigOnChange"] = "false" };
        await using (var gateway = await GatewayProcess.StartAsync(env, "OnDemand", "Tasks", tasksBinaries, idle, reloadOff))
        {
            var client = gateway.Client;
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", env.Token());
            var tasks = await TasksAsync(gateway, client);
            tasks["binaries"] = tasksBinaries;
            tasks["setting"] = "DOTNET_hostBuilder__reloadConfigOnChange=false";
            result["tasksWithoutConfigWatcher"] = tasks;
        }

        var missing = new[] { "Knowledge", "Ingestion" }.Where(a => builds.Find(a, Builds.Aot).Binary is null).ToList();
        var ingestBinaries = missing.Count == 0 ? "Aot" : "Release";
        await using (var gateway = await GatewayProcess.StartAsync(env, "OnDemand", "Knowledge,Ingestion", ingestBinaries, idle))
        {
            var client = gateway.Client;
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", env.Token());
            var ingestion = await IngestionAsync(gateway, client);
            ingestion["binaries"] = ingestBinaries;
            if (missing.Count > 0)
            {
                ingestion["note"] = $"Release (JIT) builds: no Native AOT build of {string.Join(", ", missing)}";
            }
            result["ingestion"] = ingestion;
            starts.AddRange(StartLines(gateway.Runner.Output));
        }

        result["gatewayStartToLiveMedianMs"] = new JsonObject(starts
            .GroupBy(m => m.Groups[1].Value)
            .Select(g => new KeyValuePair<string, JsonNode?>(g.Key, Stats.Round(Stats.Median(g.Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToList())))));
        return result;
    }

    private static MatchCollection StartLines(string output) => Regex.Matches(output, @"(\w+) is up \((\d+) ms from start to live\)");

    private async Task<JsonObject> TasksAsync(GatewayProcess gateway, HttpClient client)
    {
        var cold = new List<double>();
        var warm = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            if (!await gateway.WaitStateAsync("Tasks", "idle", TimeSpan.FromSeconds(30)))
            {
                return new JsonObject { ["error"] = "Tasks did not scale to zero" };
            }
            var clock = Stopwatch.StartNew();
            using (var first = await client.GetAsync("/api/tasks"))
            {
                if (first.StatusCode != HttpStatusCode.OK)
                {
                    return new JsonObject { ["error"] = $"first request answered {(int)first.StatusCode}: {await first.Content.ReadAsStringAsync()}" };
                }
            }
            cold.Add(clock.Elapsed.TotalMilliseconds);
            for (var w = 0; w < 10; w++)
            {
                clock.Restart();
                using var again = await client.GetAsync("/api/tasks");
                warm.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        Log.Line($"scale from zero: Tasks first request {Stats.Median(cold):0} ms (median of {runs}), warm {Stats.Median(warm):0.0} ms");
        return new JsonObject
        {
            ["runs"] = runs,
            ["fromZeroMedianMs"] = Stats.Round(Stats.Median(cold)),
            ["fromZeroMaxMs"] = Stats.Round(cold.Max()),
            ["warmMedianMs"] = Stats.Round(Stats.Median(warm), 2),
            ["fromZeroSamplesMs"] = new JsonArray(cold.Select(c => (JsonNode)Stats.Round(c)).ToArray()),
        };
    }

    private async Task<JsonObject> IngestionAsync(GatewayProcess gateway, HttpClient client)
    {
        using var created = await client.PostAsJsonAsync("/api/collections", new { name = $"bench-wake-{env.RunId}" });
        created.EnsureSuccessStatusCode();
        var collection = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var corpus = new Corpus(seed: 5);
        var cold = new List<double>();
        var warm = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            // Keep Knowledge awake meanwhile, so the time is Ingestion's wake-up, not Knowledge's.
            if (!await gateway.WaitStateAsync("Ingestion", "idle", TimeSpan.FromSeconds(60), async () => { using var _ = await client.GetAsync("/api/collections?pageSize=1"); }))
            {
                return new JsonObject { ["error"] = "Ingestion did not scale to zero" };
            }
            var fromZero = await UploadUntilCompleteAsync(client, collection, $"wake-{i}.md", corpus.Text(150));
            var again = await UploadUntilCompleteAsync(client, collection, $"warm-{i}.md", corpus.Text(150));
            if (fromZero is null || again is null)
            {
                return new JsonObject { ["error"] = "a document did not complete within 60 s: " + gateway.Runner.Output[^Math.Min(800, gateway.Runner.Output.Length)..] };
            }
            cold.Add(fromZero.Value);
            warm.Add(again.Value);
        }
        Log.Line($"scale from zero: upload→COMPLETE with Ingestion at zero {Stats.Median(cold):0} ms, warm {Stats.Median(warm):0} ms");
        return new JsonObject
        {
            ["runs"] = runs,
            ["uploadToCompleteFromZeroMedianMs"] = Stats.Round(Stats.Median(cold)),
            ["uploadToCompleteWarmMedianMs"] = Stats.Round(Stats.Median(warm)),
            ["fromZeroSamplesMs"] = new JsonArray(cold.Select(c => (JsonNode)Stats.Round(c)).ToArray()),
        };
    }

    private static async Task<double?> UploadUntilCompleteAsync(HttpClient client, Guid collection, string name, string text)
    {
        var clock = Stopwatch.StartNew();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "files", name } };
        using var upload = await client.PostAsync($"/api/collections/{collection}/documents", form);
        if (upload.StatusCode != HttpStatusCode.Accepted)
        {
            return null;
        }
        var id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents")[0].GetProperty("id").GetGuid();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var document = await client.GetFromJsonAsync<JsonElement>($"/api/collections/{collection}/documents/{id}");
            if (document.GetProperty("status").GetString() == "COMPLETE")
            {
                return clock.Elapsed.TotalMilliseconds;
            }
            await Task.Delay(25);
        }
        return null;
    }
}
