using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fathom.Testing;
using Xunit.Abstractions;
using static Knowledge.Functions.Tests.KnowledgeFixture;

namespace Knowledge.Functions.Tests;

/// <summary>
/// Ordinary use, all at once: two users each upload and search their own collection with four callers apiece
/// for a minute (FATHOM_CONCURRENCY_SECONDS overrides), while an evaluation run indexes and queries the same
/// vector store. Its own Knowledge and Ingestion processes, so nothing else shares their load or logs.
/// </summary>
public sealed partial class ConcurrentUseTests(KnowledgeFixture fixture, ITestOutputHelper output) : IClassFixture<KnowledgeFixture>
{
    private const int CallersPerUser = 4;

    private static TimeSpan Duration => TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("FATHOM_CONCURRENCY_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 60);

    private sealed record Tenant(string Name, HttpClient Client, Guid Collection, string Marker, ConcurrentDictionary<Guid, bool> Documents);

    [Fact]
    public async Task Two_users_uploading_and_searching_at_once_lose_nothing_and_never_see_each_others_documents()
    {
        using var aliceClient = fixture.ClientFor(fixture.Alice);
        using var bobClient = fixture.ClientFor(fixture.Bob);
        var alice = new Tenant("alice", aliceClient, await CreateCollectionAsync(aliceClient, "Alice under load"), "heliotrope", new());
        var bob = new Tenant("bob", bobClient, await CreateCollectionAsync(bobClient, "Bob under load"), "marmalade", new());
        var statuses = new ConcurrentDictionary<string, int>();
        var problems = new ConcurrentBag<string>();
        var searchMs = new ConcurrentBag<double>();

        using var stop = new CancellationTokenSource(Duration);
        var evaluation = RunEvaluationAsync();
        var callers = new List<Task>();
        foreach (var (me, other) in new[] { (alice, bob), (bob, alice) })
        {
            for (var i = 0; i < CallersPerUser; i++)
            {
                var caller = i;
                callers.Add(Task.Run(() => UploadLoopAsync(me, caller, statuses, problems, stop.Token)));
                callers.Add(Task.Run(async () =>
                {
                    for (var round = 0; !stop.IsCancellationRequested; round++)
                    {
                        var clock = Stopwatch.StartNew();
                        await SearchOnceAsync(me, other, round + caller, statuses, problems);
                        searchMs.Add(clock.Elapsed.TotalMilliseconds);
                    }
                }));
            }
        }
        await Task.WhenAll(callers);
        var (evalExit, evalOutput) = await evaluation;

        // Every document settles; then each is checked against the vector store and the Ingestion log.
        var documents = alice.Documents.Keys.Select(d => (alice, d)).Concat(bob.Documents.Keys.Select(d => (bob, d))).ToList();
        var settled = await SettledAsync([alice.Collection, bob.Collection], TimeSpan.FromMinutes(5));
        foreach (var (tenant, document) in documents)
        {
            var stored = await fixture.StoredChunksAsync(tenant.Collection, document);
            if (!settled.TryGetValue(document, out var state) || state.Status != "COMPLETE" || stored.Rows != state.Total || stored.Positions != state.Total)
            {
                problems.Add($"{tenant.Name}'s {document}: {state.Status ?? "missing"}, {stored.Rows} rows / {stored.Positions} positions for {state.Total} chunks");
            }
        }
        var log = fixture.Ingestion.Output;
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "fathom-concurrent-knowledge.log"), fixture.Knowledge.Output);
        var indexed = IndexedLine().Matches(log).GroupBy(m => Guid.Parse(m.Groups[1].Value)).ToDictionary(g => g.Key, g => g.Count());
        var serverErrors = statuses.Where(s => s.Key.StartsWith('5')).Sum(s => s.Value);
        var sorted = searchMs.Order().ToArray();
        output.WriteLine($"{documents.Count} documents, {sorted.Length} searches in {Duration.TotalSeconds:0} s (p50 {sorted[sorted.Length / 2]:0} ms, p95 {sorted[(int)(sorted.Length * 0.95)]:0} ms); "
            + $"statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}");

        Assert.True(alice.Documents.Count > 10 && bob.Documents.Count > 10, $"too few uploads to mean anything: {alice.Documents.Count} / {bob.Documents.Count}");
        Assert.True(serverErrors == 0 && problems.IsEmpty, $"{serverErrors} answers were 5xx; {problems.Count} problems:\n{string.Join('\n', problems.Take(10))}\nKnowledge's log ends:\n{fixture.Knowledge.Output[^Math.Min(4000, fixture.Knowledge.Output.Length)..]}");
        Assert.All(documents, d => Assert.Equal(1, indexed.GetValueOrDefault(d.Item2)));
        var retried = log.Split('\n').Where(l => l.Contains("will be retried", StringComparison.Ordinal)).ToList();
        Assert.True(retried.Count == 0, $"{retried.Count} ingestion steps were retried:\n{string.Join('\n', retried.Take(5))}");
        Assert.True(evalExit == 0, $"fathom eval failed while the apps served traffic:\n{evalOutput}");
        Assert.Matches(@"\| hybrid \| \d\.\d{3} \| \d\.\d{3} \|", evalOutput);
    }

    private static async Task UploadLoopAsync(Tenant me, int caller, ConcurrentDictionary<string, int> statuses, ConcurrentBag<string> problems, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var text = $"Field note {caller}-{n} by {me.Name}. The {me.Marker} was observed near the river at dawn. "
                + $"Samples {n * 7} and {n * 13} were logged with the survey team before the weather turned.";
            using var response = await PostFilesAsync(me.Client, me.Collection, ($"note-{caller}-{n}.txt", SampleDocuments.Text(text)));
            statuses.AddOrUpdate(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), 1, (_, c) => c + 1);
            if ((int)response.StatusCode >= 500)
            {
                problems.Add($"{me.Name}'s upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
            }
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                foreach (var document in (await response.Content.ReadFromJsonAsync<Upload>(CancellationToken.None))!.Documents)
                {
                    me.Documents[document.Id] = true;
                }
            }
            await Task.Delay(250, CancellationToken.None);
        }
    }

    private static async Task SearchOnceAsync(Tenant me, Tenant other, int round, ConcurrentDictionary<string, int> statuses, ConcurrentBag<string> problems)
    {
        var mode = new[] { "hybrid", "fulltext", "vector" }[round % 3];
        // Now and then ask for the other user's collection: it must not exist for this caller.
        var target = round % 10 == 9 ? other.Collection : me.Collection;
        using var response = await me.Client.PostAsJsonAsync($"/api/collections/{target}/search", new { query = $"{me.Marker} {other.Marker} river samples", mode, topK = 10 });
        statuses.AddOrUpdate(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), 1, (_, c) => c + 1);
        if ((int)response.StatusCode >= 500)
        {
            problems.Add($"{me.Name}'s {mode} search answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return;
        }
        if (target == other.Collection)
        {
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                problems.Add($"{me.Name} searching {other.Name}'s collection got {(int)response.StatusCode}");
            }
            return;
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return;
        }
        foreach (var hit in (await response.Content.ReadFromJsonAsync<SearchResults>())!.Results)
        {
            if (hit.Text.Contains(other.Marker, StringComparison.Ordinal) || other.Documents.ContainsKey(hit.DocumentId))
            {
                problems.Add($"{me.Name} saw {other.Name}'s document {hit.DocumentId}");
            }
        }
    }

    /// <summary>Waits until no document of these collections is PENDING or RUNNING; then each one's status and chunk count.</summary>
    private async Task<Dictionary<Guid, (string? Status, long Total)>> SettledAsync(Guid[] collections, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var command = fixture.Database.Source.CreateCommand("SELECT id, status, chunks_total FROM documents WHERE collection_id = ANY($1) AND deleted_at IS NULL");
            command.Parameters.Add(new() { Value = collections });
            var documents = new Dictionary<Guid, (string? Status, long Total)>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    documents[reader.GetGuid(0)] = (reader.GetString(1), reader.GetInt32(2));
                }
            }
            if (documents.Values.All(d => d.Status is "COMPLETE" or "FAILED") || DateTime.UtcNow > until)
            {
                return documents;
            }
            await Task.Delay(250);
        }
    }

    /// <summary><c>fathom-cli eval</c> on the shipped set against the same vector store, as a user would run it beside the apps.</summary>
    private static async Task<(int Exit, string Output)> RunEvaluationAsync()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepoPaths.ToolAssembly("Cli", "fathom-cli"));
        info.ArgumentList.Add("eval");
        info.ArgumentList.Add(Path.Combine(RepoPaths.Root, "shared", "Fathom.Knowledge", "EvaluationSet"));
        info.Environment["VectorStoreConnection"] = TestStack.VectorStore;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"Document ([0-9a-f-]{36}) v\d+ indexed")]
    private static partial Regex IndexedLine();
}
