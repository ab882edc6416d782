using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Data;
using Fathom.Knowledge.Embeddings;
using Fathom.Knowledge.Stores;
using Npgsql;
using Pgvector.Npgsql;

namespace Fathom.Bench;

/// <summary>
/// Ingestion through the real apps: the Knowledge app takes uploads over HTTP (multipart, <c>batch</c> files per
/// request) and queues them on the Redis stream; the Ingestion app parses, chunks, embeds (built-in hashed embedder,
/// 384-d) and indexes them. Time-to-searchable runs from the first upload byte to the moment the last document is
/// COMPLETE (and a full-text search then finds it); documents per second = documents / that time.
/// </summary>
public sealed class IngestionSuite(BenchEnvironment env, Builds builds, int documents, int batch, int pdfPages)
{
    public async Task<JsonObject> RunAsync()
    {
        var result = new JsonObject();
        var (knowledgeBinary, kError) = Pick("Knowledge");
        var (ingestionBinary, iError) = Pick("Ingestion");
        if (knowledgeBinary is null || ingestionBinary is null)
        {
            result["error"] = kError ?? iError;
            return result;
        }
        result["knowledge"] = knowledgeBinary.Flavour;
        result["ingestion"] = ingestionBinary.Flavour;
        result["vectorStore"] = env.VectorStoreKind;

        await using var knowledge = AppRunner.Start(knowledgeBinary, env.AppSettings, BenchEnvironment.FreePort());
        await using var ingestion = AppRunner.Start(ingestionBinary, env.AppSettings, BenchEnvironment.FreePort());
        var clock = Stopwatch.StartNew();
        if ((await knowledge.WaitOkAsync("/health/ready", null, clock, TimeSpan.FromSeconds(60))).Elapsed is null
            || (await ingestion.WaitOkAsync("/health/ready", null, clock, TimeSpan.FromSeconds(60))).Elapsed is null)
        {
            result["error"] = "the apps did not become ready: " + knowledge.Output[^Math.Min(400, knowledge.Output.Length)..] + ingestion.Output[^Math.Min(400, ingestion.Output.Length)..];
            return result;
        }
        var client = knowledge.Client;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", env.Token());

        // CPU seconds each process spends on the 1,000 documents: which one the throughput waits for.
        var processes = new Dictionary<string, Func<double>>
        {
            ["knowledge"] = () => Machine.CpuSeconds(knowledge.Process.Id),
            ["ingestion"] = () => Machine.CpuSeconds(ingestion.Process.Id),
            // Both databases are on the stack's server: every postgres process, backends and workers.
            ["postgres"] = () => Machine.CpuSecondsOf("postgres"),
        };
        var before = processes.ToDictionary(p => p.Key, p => p.Value());
        var wall = Stopwatch.StartNew();
        result["smallDocuments"] = await SmallDocumentsAsync(client, ingestion);
        var cpu = new JsonObject { ["wallSeconds"] = Stats.Round(wall.Elapsed.TotalSeconds, 1) };
        foreach (var (name, read) in processes)
        {
            cpu[name] = Stats.Round(read() - before[name], 1);
        }
        result["smallDocumentsCpuSeconds"] = cpu;
        Log.Line($"ingestion: CPU seconds during the small documents: {cpu.ToJsonString()}");
        result["largePdf"] = await LargePdfAsync(client);
        result["vectorStorePerDocumentMs"] = await VectorStoreCostAsync(100);
        return result;
    }

    private (AppBinary? Binary, string? Error) Pick(string app)
    {
        var (aot, error) = builds.Find(app, Builds.Aot);
        if (aot is not null)
        {
            return (aot, null);
        }
        var (jit, _) = builds.Find(app, Builds.Jit);
        return jit is not null ? (jit, null) : (null, $"{app}: {error}");
    }

    private static async Task<Guid> CreateCollectionAsync(HttpClient client, string name)
    {
        using var created = await client.PostAsJsonAsync("/api/collections", new { name });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<JsonObject> SmallDocumentsAsync(HttpClient client, AppRunner ingestion)
    {
        var corpus = new Corpus(seed: 7);
        var collection = await CreateCollectionAsync(client, $"bench-small-{env.RunId}");
        var files = Enumerable.Range(0, documents)
            .Select(i => (Name: $"note-{i:D4}.md", Text: $"# Note {i} {Corpus.Marker("xnote", i)}\n\n{corpus.Text(120 + (i % 80))}\n"))
            .ToList();
        var bytes = files.Sum(f => Encoding.UTF8.GetByteCount(f.Text));
        Log.Line($"ingestion: uploading {documents} documents ({bytes / 1024} KiB) in requests of {batch}");

        var clock = Stopwatch.StartNew();
        var uploads = new List<double>();
        foreach (var slice in files.Chunk(batch))
        {
            using var form = new MultipartFormDataContent();
            foreach (var (name, text) in slice)
            {
                var part = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
                part.Headers.ContentType = new MediaTypeHeaderValue("text/markdown");
                form.Add(part, "files", name);
            }
            var started = clock.Elapsed;
            using var response = await client.PostAsync($"/api/collections/{collection}/documents", form);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                return new JsonObject { ["error"] = $"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}" };
            }
            uploads.Add((clock.Elapsed - started).TotalMilliseconds);
        }
        var uploaded = clock.Elapsed;
        Log.Line($"ingestion: uploaded in {uploaded.TotalSeconds:0.0} s; waiting for COMPLETE");

        var timeline = new JsonObject();
        var marks = new[] { 0.25, 0.5, 0.75, 1.0 };
        var next = 0;
        long complete = 0, failed = 0;
        var deadline = TimeSpan.FromMinutes(10);
        while (clock.Elapsed < deadline)
        {
            complete = await CountAsync(client, collection, "COMPLETE");
            while (next < marks.Length && complete >= marks[next] * documents)
            {
                timeline[$"{marks[next] * 100:0}%"] = Stats.Round(clock.Elapsed.TotalSeconds, 2);
                next++;
            }
            if (complete >= documents)
            {
                break;
            }
            failed = await CountAsync(client, collection, "FAILED");
            if (complete + failed >= documents || ingestion.Process.HasExited)
            {
                break;
            }
            await Task.Delay(100);
        }
        var done = clock.Elapsed;
        var searchable = await FindsAsync(client, collection, Corpus.Marker("xnote", documents - 1));
        var seconds = done.TotalSeconds;
        var result = new JsonObject
        {
            ["documents"] = documents,
            ["filesPerRequest"] = batch,
            ["totalKiB"] = bytes / 1024,
            ["complete"] = complete,
            ["failed"] = failed,
            ["uploadSeconds"] = Stats.Round(uploaded.TotalSeconds, 2),
            ["uploadRequestMedianMs"] = Stats.Round(Stats.Median(uploads)),
            ["timeToSearchableSeconds"] = Stats.Round(seconds, 2),
            ["documentsPerSecond"] = Stats.Round(complete / seconds, 1),
            ["timeline"] = timeline,
            ["lastDocumentFound"] = searchable,
        };
        if (complete < documents)
        {
            result["error"] = $"only {complete} of {documents} COMPLETE ({failed} FAILED) after {seconds:0} s: {ingestion.Output[^Math.Min(600, ingestion.Output.Length)..]}";
        }
        Log.Line($"ingestion: {complete}/{documents} COMPLETE in {seconds:0.0} s = {complete / seconds:0.0} docs/s; last found by search: {searchable}");
        return result;
    }

    private async Task<JsonObject> LargePdfAsync(HttpClient client)
    {
        var corpus = new Corpus(seed: 11);
        var pdf = corpus.Pdf(pdfPages);
        var collection = await CreateCollectionAsync(client, $"bench-pdf-{env.RunId}");
        Log.Line($"ingestion: uploading a {pdfPages}-page PDF ({pdf.Length / 1024} KiB)");
        var clock = Stopwatch.StartNew();
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(pdf);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(part, "files", "large.pdf");
        using var response = await client.PostAsync($"/api/collections/{collection}/documents", form);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            return new JsonObject { ["error"] = $"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}" };
        }
        var uploaded = clock.Elapsed;
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents")[0].GetProperty("id").GetGuid();
        JsonElement document = default;
        while (clock.Elapsed < TimeSpan.FromMinutes(10))
        {
            document = await client.GetFromJsonAsync<JsonElement>($"/api/collections/{collection}/documents/{id}");
            if (document.GetProperty("status").GetString() is "COMPLETE" or "FAILED")
            {
                break;
            }
            await Task.Delay(100);
        }
        var done = clock.Elapsed;
        var status = document.GetProperty("status").GetString();
        var found = await FindsAsync(client, collection, Corpus.Marker("xpdfpage", pdfPages - 1));
        Log.Line($"ingestion: PDF {status} in {done.TotalSeconds:0.0} s ({document.GetProperty("chunksTotal").GetInt32()} chunks); last page found: {found}");
        return new JsonObject
        {
            ["pages"] = pdfPages,
            ["sizeKiB"] = pdf.Length / 1024,
            ["status"] = status,
            ["error"] = status == "COMPLETE" ? null : document.GetProperty("error").ToString(),
            ["chunks"] = document.GetProperty("chunksTotal").GetInt32(),
            ["uploadSeconds"] = Stats.Round(uploaded.TotalSeconds, 2),
            ["timeToSearchableSeconds"] = Stats.Round(done.TotalSeconds, 2),
            ["lastPageFound"] = found,
        };
    }

    /// <summary>
    /// Where a small document's time goes in the vector store: the ChunkStore calls the Ingestion pipeline makes for a
    /// one-chunk document (EmbedAndSaveStep, FinishStep), timed one document after another: the vector store's share of
    /// one document's latency (a real server runs many connections' statements at once, so it is not a throughput bound).
    /// </summary>
    private async Task<JsonObject> VectorStoreCostAsync(int count)
    {
        var builder = new NpgsqlDataSourceBuilder(env.VectorStoreConnection);
        builder.UseVector();
        await using var source = builder.Build();
        using var store = new ChunkStore(new VectorDatabase(source));
        var embedder = new HashedNgramEmbeddingGenerator(384);
        var corpus = new Corpus(seed: 13);
        var collection = Guid.NewGuid();
        var ct = CancellationToken.None;
        await store.EnsureCollectionAsync(collection, 384, ct);
        var times = new Dictionary<string, double> { ["ensureCollection"] = 0, ["storedPositions"] = 0, ["insert"] = 0, ["deleteOtherVersions"] = 0 };
        try
        {
            var clock = new Stopwatch();
            for (var i = 0; i < count; i++)
            {
                var document = Guid.NewGuid();
                var text = corpus.Text(160);
                clock.Restart();
                await store.EnsureCollectionAsync(collection, 384, ct);
                times["ensureCollection"] += clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                await store.StoredPositionsAsync(collection, document, 1, ct);
                times["storedPositions"] += clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                await store.InsertAsync(collection, [new ChunkRecord(ChunkRecord.IdFor(document, 1, 0), document, 1, 0, text, null, $"Note {i}", embedder.Embed(text))], ct);
                times["insert"] += clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                await store.DeleteOtherVersionsAsync(collection, document, 1, ct);
                times["deleteOtherVersions"] += clock.Elapsed.TotalMilliseconds;
            }
        }
        finally
        {
            await store.DropCollectionAsync(collection, ct);
        }
        var result = new JsonObject();
        foreach (var (name, total) in times)
        {
            result[name] = Stats.Round(total / count, 2);
        }
        var sum = times.Values.Sum() / count;
        result["total"] = Stats.Round(sum, 2);
        Log.Line($"ingestion: vector store per small document {sum:0.0} ms ({string.Join(", ", times.Select(t => $"{t.Key} {t.Value / count:0.0}"))})");
        return result;
    }

    private static async Task<long> CountAsync(HttpClient client, Guid collection, string status)
        => (await client.GetFromJsonAsync<JsonElement>($"/api/collections/{collection}/documents?status={status}&pageSize=1")).GetProperty("total").GetInt64();

    private static async Task<bool> FindsAsync(HttpClient client, Guid collection, string word)
    {
        using var response = await client.PostAsJsonAsync($"/api/collections/{collection}/search", new { query = word, mode = "fulltext", topK = 1 });
        return response.IsSuccessStatusCode
            && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetArrayLength() > 0;
    }
}
