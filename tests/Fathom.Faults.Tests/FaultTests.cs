using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Data;
using Fathom.Testing;
using Npgsql;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Fathom.Faults.Tests;

/// <summary>
/// A thousand documents ingested while the Ingestion process is killed (SIGKILL) again and again, Redis is restarted,
/// Postgres (system of record and vector store: one server here) is restarted and then stopped for 10 s. Afterwards
/// every document must be COMPLETE with exactly its chunks, the dead letters empty, and the apps serving again by
/// themselves. A caller polling meanwhile must only ever see answers, 503s with Retry-After among them, never a hang.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Documents = 1000;
    private const int FilesPerUpload = 20;
    private readonly TestIdentity _identity = new();
    private readonly ConcurrentDictionary<string, int> _seen = new();
    private readonly ConcurrentBag<string> _problems = [];
    private readonly List<string> _faults = [];
    private PrivateStack _stack = null!;
    private Dictionary<string, string> _settings = null!;
    private FunctionAppProcess _knowledge = null!;
    private FunctionAppProcess _ingestion = null!;
    private FunctionAppProcess _maintenance = null!;
    private Guid _user;
    private int _ingestionStarts = 1;

    public async Task InitializeAsync()
    {
        _stack = await PrivateStack.StartAsync();
        await using (var system = NpgsqlDataSource.Create(_stack.Postgres))
        {
            await new MigrationRunner(system).UpAsync(null, CancellationToken.None);
            _user = await TestIdentity.CreateUserAsync(system);
        }
        _settings = new Dictionary<string, string>(_identity.Settings)
        {
            ["PostgresConnection"] = _stack.Postgres,
            ["RedisConnection"] = _stack.Redis,
            ["VectorStoreConnection"] = _stack.VectorStore,
            ["IngestStream"] = "fathom:ingest",
            // A killed worker's entries go to another after 5 s; outages are waited out inside one delivery.
            ["AzureFunctionsJobHost__extensions__redisStreams__visibilityTimeout"] = "00:00:05",
            ["AzureFunctionsJobHost__extensions__redisStreams__pollingInterval"] = "00:00:00.100",
            // Documents whose upload stored them but could not queue them (Redis down) are queued again soon.
            ["Maintenance__StuckAfter"] = "00:00:20",
            ["Maintenance__RequeueSchedule"] = "*/5 * * * * *",
            ["RateLimiting__Enabled"] = "false",
        };
        var apps = await Task.WhenAll(
            FunctionAppProcess.StartAsync("Knowledge", _settings),
            FunctionAppProcess.StartAsync("Ingestion", _settings),
            FunctionAppProcess.StartAsync("Maintenance", _settings));
        (_knowledge, _ingestion, _maintenance) = (apps[0], apps[1], apps[2]);
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { _knowledge, _ingestion, _maintenance }.Where(a => a is not null))
        {
            await app.DisposeAsync();
        }
        await _stack.DisposeAsync();
    }

    [Fact]
    public async Task Kills_and_store_restarts_during_ingestion_lose_no_document_and_duplicate_no_chunk()
    {
        using var client = new HttpClient { BaseAddress = _knowledge.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _identity.Token(_user, TimeSpan.FromHours(1)));
        using var created = await client.PostAsJsonAsync("/api/collections", new { name = "Under fire", settings = new { chunkSize = 64, chunkOverlap = 0 } });
        var collection = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var clock = Stopwatch.StartNew();

        using var stop = new CancellationTokenSource();
        var observer = ObserveAsync(client, collection, stop.Token);
        var uploads = UploadAllAsync(client, collection);
        await InjectFaultsAsync(uploads, collection);
        await uploads;

        var settled = await SettledAsync(collection, TimeSpan.FromMinutes(6));
        await stop.CancelAsync();
        await observer;
        var checkedChunks = await CheckChunksAsync(collection, settled);
        var deadLetters = await DeadLettersAsync();
        using var ready = await _knowledge.Client.GetAsync("/health/ready");
        using var ingestionReady = await _ingestion.Client.GetAsync("/health/ready");

        var report = Report(settled, checkedChunks, deadLetters, clock.Elapsed);
        output.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts"));
        await File.WriteAllTextAsync(Path.Combine(RepoPaths.Root, "artifacts", "faults.json"), report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        Assert.Equal(Documents, settled.Count);
        Assert.True(_problems.IsEmpty, string.Join('\n', _problems.Take(20)));
        Assert.All(settled.Values, s => Assert.Equal("COMPLETE", s.Status));
        Assert.Equal(0, deadLetters);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ingestionReady.StatusCode);
        Assert.True(_seen.Keys.All(k => k is "200" or "202" or "503"), $"statuses seen: {string.Join(", ", _seen.Select(s => $"{s.Key}: {s.Value}"))}");
    }

    /// <summary>Uploads in batches of 20 spread over the faults; a 503 is retried after its Retry-After, as a careful client would.</summary>
    private async Task UploadAllAsync(HttpClient client, Guid collection)
    {
        for (var batch = 0; batch < Documents / FilesPerUpload; batch++)
        {
            while (true)
            {
                using var form = new MultipartFormDataContent();
                for (var i = 0; i < FilesPerUpload; i++)
                {
                    var n = (batch * FilesPerUpload) + i;
                    form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(Text(n))), "files", $"report-{n}.txt");
                }
                var (status, retryAfter) = await CallAsync(() => client.PostAsync($"/api/collections/{collection}/documents", form), "upload");
                if (status == HttpStatusCode.Accepted)
                {
                    break;
                }
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(retryAfter ?? 1, 2)));
            }
            await Task.Delay(600);
        }
    }

    private static string Text(int n)
        => $"Field report {n}. The survey team counted {n % 17} herons and {n % 29} egrets near marker {n}. "
            + string.Join(' ', Enumerable.Range(0, 40 + (n % 60)).Select(i => $"word{(i * 7) + n}"));

    /// <summary>SIGKILLs of Ingestion (restarted, as its Deployment would), a Redis restart, a Postgres restart and a 10 s Postgres stop, while uploads run.</summary>
    private async Task InjectFaultsAsync(Task uploads, Guid collection)
    {
        var random = new Random(5);
        async Task KillIngestionAsync()
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1000, 4000)));
            _ingestion.Kill();
            _faults.Add($"{DateTime.UtcNow:HH:mm:ss} kill -9 Ingestion");
            _ingestion = await FunctionAppProcess.StartAsync("Ingestion", _settings);
            _ingestionStarts++;
        }

        await Task.Delay(3000);
        await KillIngestionAsync();
        await KillIngestionAsync();
        _faults.Add($"{DateTime.UtcNow:HH:mm:ss} restart Redis");
        await _stack.StopAsync("redis");
        await _stack.UpAsync();
        await KillIngestionAsync();
        _faults.Add($"{DateTime.UtcNow:HH:mm:ss} restart Postgres");
        await _stack.StopAsync("postgres");
        await _stack.UpAsync();
        await KillIngestionAsync();
        _faults.Add($"{DateTime.UtcNow:HH:mm:ss} stop Postgres for 10 s");
        await _stack.StopAsync("postgres");
        await Task.Delay(TimeSpan.FromSeconds(10));
        await _stack.UpAsync();
        // On a busy machine the restarts are slow and the uploads may end first; what matters is that ingestion
        // still had work when the last fault came.
        var unfinished = uploads.IsCompleted ? await UnfinishedAsync(collection) : -1;
        await KillIngestionAsync();
        Assert.True(unfinished != 0, "every document was COMPLETE before the last fault: the faults did not hit ingestion");
    }

    private async Task<long> UnfinishedAsync(Guid collection)
    {
        await using var system = NpgsqlDataSource.Create(_stack.Postgres);
        await using var command = system.CreateCommand("SELECT count(*) FROM documents WHERE collection_id = $1 AND deleted_at IS NULL AND status <> 'COMPLETE'");
        command.Parameters.Add(new() { Value = collection });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>What a user polling the collection sees: every answer's status, and no call that hangs.</summary>
    private async Task ObserveAsync(HttpClient client, Guid collection, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await CallAsync(() => client.GetAsync($"/api/collections/{collection}/documents?pageSize=1"), "list");
            await CallAsync(() => client.PostAsJsonAsync($"/api/collections/{collection}/search", new { query = "herons egrets", mode = "hybrid" }), "search");
            await Task.Delay(200, CancellationToken.None);
        }
    }

    private async Task<(HttpStatusCode? Status, int? RetryAfter)> CallAsync(Func<Task<HttpResponseMessage>> call, string what)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await call();
            var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            _seen.AddOrUpdate($"{status}", 1, (_, c) => c + 1);
            var retryAfter = (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds;
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && retryAfter is null)
            {
                _problems.Add($"{what}: 503 without Retry-After");
            }
            if ((int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                _problems.Add($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            return (response.StatusCode, retryAfter);
        }
        catch (TaskCanceledException)
        {
            _problems.Add($"{what}: no answer within 20 s");
            return (null, null);
        }
        catch (HttpRequestException ex)
        {
            _problems.Add($"{what}: {ex.Message} after {clock.ElapsedMilliseconds} ms");
            return (null, null);
        }
    }

    private async Task<Dictionary<Guid, (string Status, int Total)>> SettledAsync(Guid collection, TimeSpan timeout)
    {
        await using var system = NpgsqlDataSource.Create(_stack.Postgres);
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var documents = new Dictionary<Guid, (string Status, int Total)>();
            await using (var command = system.CreateCommand("SELECT id, status, chunks_total FROM documents WHERE collection_id = $1 AND deleted_at IS NULL"))
            {
                command.Parameters.Add(new() { Value = collection });
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    documents[reader.GetGuid(0)] = (reader.GetString(1), reader.GetInt32(2));
                }
            }
            if ((documents.Count == Documents && documents.Values.All(d => d.Status is "COMPLETE" or "FAILED")) || DateTime.UtcNow > until)
            {
                return documents;
            }
            await Task.Delay(500);
        }
    }

    /// <summary>Each document's stored chunk ids are exactly document:version:0..total-1, once each. Returns chunks checked.</summary>
    private async Task<long> CheckChunksAsync(Guid collection, Dictionary<Guid, (string Status, int Total)> documents)
    {
        await using var vectors = NpgsqlDataSource.Create(_stack.VectorStore);
        await using var command = vectors.CreateCommand($"SELECT document_id, array_agg(id ORDER BY position) FROM chunks_{collection:N} GROUP BY document_id");
        await using var reader = await command.ExecuteReaderAsync();
        var stored = new Dictionary<Guid, string[]>();
        while (await reader.ReadAsync())
        {
            stored[reader.GetGuid(0)] = reader.GetFieldValue<string[]>(1);
        }
        long chunks = 0;
        foreach (var (id, (status, total)) in documents)
        {
            var expected = Enumerable.Range(0, total).Select(p => $"{id:N}:1:{p}").ToArray();
            var ids = stored.GetValueOrDefault(id) ?? [];
            if (!ids.SequenceEqual(expected))
            {
                _problems.Add($"document {id} ({status}): {ids.Length} chunks stored for {total} ({ids.Except(expected).Count()} unexpected)");
            }
            chunks += ids.Length;
        }
        return chunks;
    }

    private async Task<long> DeadLettersAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_stack.Redis);
        return await redis.GetDatabase().StreamLengthAsync("fathom:ingest:dead");
    }

    private JsonObject Report(Dictionary<Guid, (string Status, int Total)> settled, long chunks, long deadLetters, TimeSpan elapsed) => new()
    {
        ["documents"] = settled.Count,
        ["complete"] = settled.Values.Count(s => s.Status == "COMPLETE"),
        ["chunksChecked"] = chunks,
        ["deadLetters"] = deadLetters,
        ["faults"] = new JsonArray([.. _faults.Select(f => (JsonNode)f)]),
        ["ingestionProcessStarts"] = _ingestionStarts,
        ["statusesSeenByCallers"] = new JsonObject(_seen.OrderBy(s => s.Key).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
        ["problems"] = _problems.Count,
        ["seconds"] = Math.Round(elapsed.TotalSeconds),
    };
}
