using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Testing;
using Xunit.Abstractions;

namespace Fathom.Hostile.Tests;

/// <summary>
/// Ten minutes (FATHOM_SOAK_SECONDS) of ordinary mixed use by two users against Knowledge, Ingestion, Tasks and Posts of
/// their own: uploads, searches, questions, task and post CRUD. Latency per operation (p50/p99) and the error rate are
/// recorded; the resident memory of every app is sampled from /proc every few seconds, and its level over the last
/// quarter must stay within 5 % of its highest in the first half. No answer may be a 5xx.
/// </summary>
/// <remarks>
/// Why halves: a leak keeps growing, a heap settles. Ingestion's settles after three to five minutes (recorded runs:
/// 161.5 → 171 MiB and 159.6 → 173 MiB, flat after), which a first-fifth warm-up counted as 6–11 % "growth".
/// Why the last quarter's median and not the second half's peak: a single sample is a moment of the collector, not a
/// trend. CI failed once on Knowledge peaking at 142.3 MiB (+5.1 %) for a few samples and ending at 137.9 (+1.8 %);
/// the median of the last quarter is where a leak shows and a burst does not. It lies about 3.75 minutes after the
/// first half's end, so 5 % of a 135 MiB app fails a leak of about 1.8 MiB a minute; a burst past 15 % still fails.
/// </remarks>
public sealed class SoakTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double AllowedGrowth = 0.05;
    private const double AllowedBurst = 0.15;
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);

    private readonly TestIdentity _identity = new();
    private readonly Dictionary<string, FunctionAppProcess> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _latency = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _problems = new();
    private TestDatabase _database = null!;
    private int _serverErrors;

    private static TimeSpan Duration => TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("FATHOM_SOAK_SECONDS"), CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 600);

    private sealed record User(string Name, Guid Id, HttpClient Knowledge, HttpClient Tasks, HttpClient Posts, string Marker)
    {
        public Guid Collection { get; set; }
    }

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string>(_identity.Settings)
        {
            ["PostgresConnection"] = _database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
            ["VectorStoreConnection"] = TestStack.VectorStore,
            ["IngestStream"] = $"test:ingest:{Guid.NewGuid():N}",
            ["AzureFunctionsJobHost__extensions__redisStreams__pollingInterval"] = "00:00:00.100",
        };
        foreach (var (key, value) in TestStack.GenerousRateLimits())
        {
            settings[key] = value;
        }
        foreach (var app in await Task.WhenAll(new[] { "Knowledge", "Ingestion", "Tasks", "Posts" }.Select(a => FunctionAppProcess.StartAsync(a, settings))))
        {
            _apps[app.Name] = app;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps.Values)
        {
            await app.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Mixed_use_for_ten_minutes_keeps_latency_errors_and_memory_flat()
    {
        var users = new List<User>();
        foreach (var (name, marker) in new[] { ("alice", "heliotrope"), ("bob", "marmalade") })
        {
            var id = await TestIdentity.CreateUserAsync(_database.Source);
            HttpClient Client(string app)
            {
                var client = new HttpClient { BaseAddress = _apps[app].Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _identity.Token(id, Duration + TimeSpan.FromMinutes(30)));
                return client;
            }
            var user = new User(name, id, Client("Knowledge"), Client("Tasks"), Client("Posts"), marker);
            using var created = await user.Knowledge.PostAsJsonAsync("/api/collections", new { name = $"{name}'s notes", settings = new { chunkSize = 128, chunkOverlap = 16 } });
            user.Collection = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            users.Add(user);
        }

        var samples = _apps.Keys.ToDictionary(a => a, _ => new List<(double Seconds, long Kib)>(), StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(Duration);
        var sampler = SampleAsync(samples, clock, stop.Token);
        var loops = users.SelectMany(u => new[]
        {
            Loop(u, UploadAsync, TimeSpan.FromSeconds(2), stop.Token),
            Loop(u, SearchAsync, TimeSpan.FromMilliseconds(250), stop.Token),
            Loop(u, AskAsync, TimeSpan.FromSeconds(1), stop.Token),
            Loop(u, TaskRoundAsync, TimeSpan.FromMilliseconds(200), stop.Token),
            Loop(u, PostRoundAsync, TimeSpan.FromMilliseconds(200), stop.Token),
        }).ToList();
        await Task.WhenAll(loops);
        await sampler;
        var elapsed = clock.Elapsed;
        var documents = await SettledDocumentsAsync(users.Select(u => u.Collection).ToArray(), TimeSpan.FromMinutes(3));

        var warmUpEnd = elapsed.TotalSeconds * 0.5;
        var rss = new JsonObject();
        var memoryProblems = new List<string>();
        foreach (var (app, series) in samples)
        {
            var warm = series.Where(s => s.Seconds <= warmUpEnd).ToList();
            var after = series.Where(s => s.Seconds > warmUpEnd).ToList();
            if (warm.Count == 0 || after.Count == 0)
            {
                memoryProblems.Add($"{app}: too few RSS samples ({series.Count})");
                continue;
            }
            var level = warm.Max(s => s.Kib);
            var peak = after.Max(s => s.Kib);
            var settled = Median(after.Skip(after.Count / 2).Select(s => s.Kib));
            var drift = (settled / level) - 1;
            var burst = (peak / (double)level) - 1;
            rss[app] = new JsonObject
            {
                ["warmUpMiB"] = Math.Round(level / 1024.0, 1),
                ["lastQuarterMedianMiB"] = Math.Round(settled / 1024.0, 1),
                ["peakAfterWarmUpMiB"] = Math.Round(peak / 1024.0, 1),
                ["endMiB"] = Math.Round(series[^1].Kib / 1024.0, 1),
                ["drift"] = Math.Round(drift, 4),
                ["burst"] = Math.Round(burst, 4),
                ["samplesMiB"] = new JsonArray([.. series.Select(s => (JsonNode)Math.Round(s.Kib / 1024.0, 1))]),
            };
            if (drift > AllowedGrowth)
            {
                memoryProblems.Add($"{app}: RSS over the last quarter (median {settled / 1024.0:0.0} MiB) is {drift:P1} above the first half's highest ({level / 1024.0:0.0} MiB)");
            }
            if (burst > AllowedBurst)
            {
                memoryProblems.Add($"{app}: RSS peaked at {peak / 1024.0:0.0} MiB in the second half, {burst:P1} above the first half's highest ({level / 1024.0:0.0} MiB)");
            }
        }

        var operations = new JsonObject();
        var requests = 0;
        var errors = 0;
        foreach (var (operation, times) in _latency.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var sorted = times.Order().ToArray();
            var failed = _errors.GetValueOrDefault(operation);
            requests += sorted.Length;
            errors += failed;
            operations[operation] = new JsonObject
            {
                ["count"] = sorted.Length,
                ["p50Ms"] = Math.Round(Percentile(sorted, 0.50), 1),
                ["p99Ms"] = Math.Round(Percentile(sorted, 0.99), 1),
                ["errors"] = failed,
            };
            output.WriteLine($"{operation,-14} {sorted.Length,6}  p50 {Percentile(sorted, 0.50),7:0.0} ms  p99 {Percentile(sorted, 0.99),7:0.0} ms  errors {failed}");
        }
        foreach (var (app, figures) in rss)
        {
            output.WriteLine($"{app,-10} RSS first half {figures!["warmUpMiB"]} MiB, last quarter {figures["lastQuarterMedianMiB"]} MiB ({(double)figures["drift"]!:P1}), peak {figures["peakAfterWarmUpMiB"]} MiB ({(double)figures["burst"]!:P1}), end {figures["endMiB"]} MiB");
        }
        var figuresJson = new JsonObject
        {
            ["seconds"] = Math.Round(elapsed.TotalSeconds),
            ["users"] = users.Count,
            ["apps"] = new JsonArray([.. _apps.Keys.Select(a => (JsonNode)a)]),
            ["requests"] = requests,
            ["errors"] = errors,
            ["errorRate"] = requests == 0 ? 0 : Math.Round(errors / (double)requests, 5),
            ["serverErrors"] = _serverErrors,
            ["operations"] = operations,
            ["documents"] = new JsonObject(documents.GroupBy(d => d).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()))),
            ["rssSampleSeconds"] = SampleEvery.TotalSeconds,
            ["warmUpSeconds"] = Math.Round(warmUpEnd),
            ["rss"] = rss,
            ["crashes"] = _apps.Values.Count(a => a.HasExited),
            ["problems"] = new JsonArray([.. _problems.Take(30).Select(p => (JsonNode)p)]),
        };
        Artifacts.Write("soak", figuresJson);

        Assert.True(_apps.Values.All(a => !a.HasExited), string.Join("; ", _apps.Values.Where(a => a.HasExited).Select(a => $"{a.Name} exited with {a.ExitCode}")));
        Assert.True(_serverErrors == 0, $"{_serverErrors} answers were 5xx:\n{string.Join('\n', _problems.Take(20))}");
        Assert.True(errors == 0, $"{errors} of {requests} calls failed:\n{string.Join('\n', _problems.Take(20))}");
        Assert.True(requests > 1000, $"only {requests} calls in {elapsed}");
        Assert.DoesNotContain("FAILED", documents);
        Assert.True(memoryProblems.Count == 0, string.Join('\n', memoryProblems));
    }

    private static double Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2.0;
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task Loop(User user, Func<User, int, Task> round, TimeSpan pause, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            await round(user, n);
            try
            {
                await Task.Delay(pause, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One timed call; anything but <paramref name="expected"/> counts as an error of its operation.</summary>
    private async Task<JsonElement?> CallAsync(string operation, HttpStatusCode expected, Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            _latency.GetOrAdd(operation, _ => []).Add(clock.Elapsed.TotalMilliseconds);
            if ((int)response.StatusCode >= 500)
            {
                Interlocked.Increment(ref _serverErrors);
            }
            if (response.StatusCode != expected)
            {
                _errors.AddOrUpdate(operation, 1, (_, n) => n + 1);
                _problems.Enqueue($"{operation}: {(int)response.StatusCode} {Verdicts.Excerpt(body)}");
                return null;
            }
            return body.Length == 0 ? null : JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            _latency.GetOrAdd(operation, _ => []).Add(clock.Elapsed.TotalMilliseconds);
            _errors.AddOrUpdate(operation, 1, (_, n) => n + 1);
            _problems.Enqueue($"{operation}: no answer ({ex.Message})");
            return null;
        }
    }

    private Task UploadAsync(User user, int n) => CallAsync("upload", HttpStatusCode.Accepted, () =>
    {
        var text = $"Field note {n} by {user.Name}. The {user.Marker} was seen near the river at dawn; samples {n * 7} and {n * 13} "
            + $"went to the survey team. {string.Join(' ', Enumerable.Range(0, 60 + (n % 40)).Select(i => $"word{(i * 31) + n}"))}.";
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "files", $"note-{n}.txt" } };
        return user.Knowledge.PostAsync($"/api/collections/{user.Collection}/documents", form);
    });

    private Task SearchAsync(User user, int n) => CallAsync("search", HttpStatusCode.OK,
        () => user.Knowledge.PostAsJsonAsync($"/api/collections/{user.Collection}/search", new { query = $"{user.Marker} river samples {n % 50}", mode = new[] { "hybrid", "fulltext", "vector" }[n % 3], topK = 10 }));

    private Task AskAsync(User user, int n) => CallAsync("ask", HttpStatusCode.OK,
        () => user.Knowledge.PostAsJsonAsync($"/api/collections/{user.Collection}/ask", new { question = $"Where was the {user.Marker} seen in note {n % 50}?", topK = 5 }));

    private async Task TaskRoundAsync(User user, int n)
    {
        if (await CallAsync("task create", HttpStatusCode.Created, () => user.Tasks.PostAsJsonAsync("/api/tasks", new { title = $"Task {n} of {user.Name}", description = "Check the river samples.", dueDate = "2030-06-01" })) is not { } task)
        {
            return;
        }
        var id = task.GetProperty("id").GetGuid();
        await CallAsync("task get", HttpStatusCode.OK, () => user.Tasks.GetAsync($"/api/tasks/{id}"));
        await CallAsync("task update", HttpStatusCode.OK, () => user.Tasks.PatchAsJsonAsync($"/api/tasks/{id}", new { status = "done" }));
        await CallAsync("task list", HttpStatusCode.OK, () => user.Tasks.GetAsync("/api/tasks?page=1&pageSize=20&status=done"));
        await CallAsync("task delete", HttpStatusCode.NoContent, () => user.Tasks.DeleteAsync($"/api/tasks/{id}"));
    }

    private async Task PostRoundAsync(User user, int n)
    {
        if (await CallAsync("post create", HttpStatusCode.Created, () => user.Posts.PostAsJsonAsync("/api/posts", new { title = $"Post {n} by {user.Name}", body = $"About the {user.Marker} and the river, part {n}.", published = n % 2 == 0 })) is not { } post)
        {
            return;
        }
        var id = post.GetProperty("id").GetGuid();
        await CallAsync("post get", HttpStatusCode.OK, () => user.Posts.GetAsync($"/api/posts/{id}"));
        await CallAsync("post update", HttpStatusCode.OK, () => user.Posts.PatchAsJsonAsync($"/api/posts/{id}", new { body = $"Revised: the {user.Marker} again." }));
        await CallAsync("post list", HttpStatusCode.OK, () => user.Posts.GetAsync($"/api/posts?q={user.Marker}&pageSize=10"));
        await CallAsync("post delete", HttpStatusCode.NoContent, () => user.Posts.DeleteAsync($"/api/posts/{id}"));
    }

    /// <summary>VmRSS of every app process every <see cref="SampleEvery"/>, from /proc/&lt;pid&gt;/status.</summary>
    private async Task SampleAsync(Dictionary<string, List<(double Seconds, long Kib)>> samples, Stopwatch clock, CancellationToken stop)
    {
        while (true)
        {
            foreach (var (name, app) in _apps)
            {
                if (Rss(app.ProcessId) is { } kib)
                {
                    samples[name].Add((clock.Elapsed.TotalSeconds, kib));
                }
            }
            try
            {
                await Task.Delay(SampleEvery, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static long? Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Waits until no document is PENDING or RUNNING (or the timeout), then every document's status.</summary>
    private async Task<List<string>> SettledDocumentsAsync(Guid[] collections, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var command = _database.Source.CreateCommand("SELECT status FROM documents WHERE collection_id = ANY($1) AND deleted_at IS NULL");
            command.Parameters.Add(new() { Value = collections });
            var statuses = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    statuses.Add(reader.GetString(0));
                }
            }
            if (statuses.All(s => s is "COMPLETE" or "FAILED") || DateTime.UtcNow > until)
            {
                return statuses;
            }
            await Task.Delay(500);
        }
    }
}
