using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Fathom.Data;
using Fathom.Knowledge.Embeddings;
using Fathom.Knowledge.Evaluation;
using Fathom.Knowledge.Stores;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Pgvector.Npgsql;

namespace Fathom.Bench;

/// <summary>
/// Search latency and HNSW recall on the vector store, through the code the Knowledge app runs (ChunkStore and
/// ChunkSearch, so each query also pays its embedding and, for hybrid, both queries and the fusion). Synthetic chunks
/// (≈100 words, 384-d hashed embeddings) go into a throwaway collection table with ChunkStore.InsertAsync; for the
/// bulk load the HNSW index is dropped and rebuilt afterwards with ChunkStore.RebuildVectorIndexAsync (a build is far
/// faster than row-by-row graph inserts; the GIN full-text index stays). Measured at each size in <c>sizes</c>;
/// recall@10 compares the HNSW path with exact search (<c>exact: true</c>) for the same queries, and an ef_search
/// sweep shows what a larger candidate list would buy. After each load the tables are vacuumed (ChunkStore.VacuumAsync),
/// as autovacuum would after a bulk load, so BM25's index-only scans of the postings skip the heap. The table is
/// dropped at the end. With <c>realSet</c> (a BEIR folder, by default the Python library reference bench/run.sh builds
/// with bench/eval/python_docs.py) recall@10 and nDCG@10 per mode on real text, beside the reference run in the folder.
/// </summary>
public sealed class SearchSuite(BenchEnvironment env, IReadOnlyList<int> sizes, int queryCount, TimeSpan loadBudget, string? realSet = null)
{
    private const int Dimension = 384;
    private const int InsertBatch = 1024;
    private const int TopK = 10;
    private static readonly int[] EfSearch = [40, 100, 200, 400];

    public async Task<JsonObject> RunAsync()
    {
        var ct = CancellationToken.None;
        var builder = new NpgsqlDataSourceBuilder(env.VectorStoreConnection);
        builder.UseVector();
        await using var source = builder.Build();
        using var store = new ChunkStore(new VectorDatabase(source));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Embeddings:Provider"] = "hashed",
            ["Embeddings:Dimension"] = Dimension.ToString(CultureInfo.InvariantCulture),
        }).Build();
        using var embedders = new CollectionEmbedders(configuration);
        var search = new ChunkSearch(store, embedders);
        var settings = new CollectionSettings(400, 50, embedders.Default, Bm25Settings.Default);
        var embedder = new HashedNgramEmbeddingGenerator(Dimension);

        var collection = Guid.NewGuid();
        var table = ChunkStore.Table(collection);
        await store.EnsureCollectionAsync(collection, Dimension, ct);
        var result = new JsonObject
        {
            ["vectorStore"] = env.VectorStoreKind,
            ["pgvector"] = (string?)await ScalarAsync(source, "SELECT extversion FROM pg_extension WHERE extname = 'vector'"),
            ["chunkWords"] = "80..120",
            ["dimension"] = Dimension,
            ["queries"] = queryCount,
            ["topK"] = TopK,
            ["bm25"] = $"k1 {Bm25Settings.Default.K1.ToString(CultureInfo.InvariantCulture)}, b {Bm25Settings.Default.B.ToString(CultureInfo.InvariantCulture)}",
            ["hybridFusion"] = $"{HybridFusion.Default.MethodName}, full text {HybridFusion.Default.FullTextWeight.ToString(CultureInfo.InvariantCulture)}",
        };
        var levels = new JsonArray();
        result["sizes"] = levels;
        try
        {
            var corpus = new Corpus(seed: 3);
            var sampleTexts = new List<string>();
            var inserted = 0;
            var load = Stopwatch.StartNew();
            var documentId = Guid.NewGuid();
            foreach (var size in sizes)
            {
                var level = new JsonObject { ["targetChunks"] = size };
                levels.Add(level);
                if (load.Elapsed > loadBudget)
                {
                    level["skipped"] = $"load budget of {loadBudget.TotalMinutes:0} min used up";
                    break;
                }
                // Rows load faster without the graph; RebuildVectorIndexAsync builds it in one pass afterwards.
                await ExecuteAsync(source, $"DROP INDEX IF EXISTS {table}_hnsw");
                var insertClock = Stopwatch.StartNew();
                var insertedBefore = inserted;
                while (inserted < size && load.Elapsed < loadBudget)
                {
                    var count = Math.Min(InsertBatch, size - inserted);
                    var records = new ChunkRecord[count];
                    for (var i = 0; i < count; i++)
                    {
                        var position = inserted + i;
                        if (position % 20 == 0)
                        {
                            documentId = Guid.NewGuid();
                        }
                        var text = corpus.Text(80 + (position % 41));
                        if (position % 97 == 0 && sampleTexts.Count < queryCount * 2)
                        {
                            sampleTexts.Add(text);
                        }
                        records[i] = new ChunkRecord(ChunkRecord.IdFor(documentId, 1, position), documentId, 1, position, text, null, null, embedder.Embed(text));
                    }
                    await store.InsertAsync(collection, records, ct);
                    inserted += count;
                    if (inserted % (InsertBatch * 10) < InsertBatch)
                    {
                        Log.Line($"search: {inserted} chunks loaded ({(inserted - insertedBefore) / insertClock.Elapsed.TotalSeconds:0} rows/s)");
                    }
                }
                var insertSeconds = insertClock.Elapsed.TotalSeconds;
                var indexClock = Stopwatch.StartNew();
                try
                {
                    await store.RebuildVectorIndexAsync(collection, ct);
                }
                catch (PostgresException ex)
                {
                    // Keep the smaller sizes' figures; say why this one has none.
                    level["chunks"] = inserted;
                    level["error"] = $"HNSW build failed after {indexClock.Elapsed.TotalSeconds:0} s: {ex.MessageText}";
                    Log.Line($"search: {level["error"]}");
                    break;
                }
                var indexSeconds = indexClock.Elapsed.TotalSeconds;
                var vacuumClock = Stopwatch.StartNew();
                await store.VacuumAsync(collection, ct);
                level["vacuumSeconds"] = Stats.Round(vacuumClock.Elapsed.TotalSeconds, 1);
                level["postingsRows"] = (long)(await ScalarAsync(source, $"SELECT count(*) FROM {ChunkStore.PostingsTable(collection)}"))!;
                level["postingsMiB"] = Stats.Round((long)(await ScalarAsync(source, $"SELECT pg_total_relation_size('{ChunkStore.PostingsTable(collection)}')"))! / 1048576.0, 0);
                level["chunksTableMiB"] = Stats.Round((long)(await ScalarAsync(source, $"SELECT pg_total_relation_size('{table}')"))! / 1048576.0, 0);
                level["chunks"] = inserted;
                level["partial"] = inserted < size;
                level["insertRowsPerSecond"] = Stats.Round((inserted - insertedBefore) / insertSeconds, 0);
                level["hnswBuildSeconds"] = Stats.Round(indexSeconds, 1);
                Log.Line($"search: {inserted} chunks, HNSW built in {indexSeconds:0.0} s; measuring");

                var queries = sampleTexts.Take(queryCount).Select(corpus.QueryFrom).ToList();
                var longQueries = levels.Count == 1 ? Enumerable.Range(0, 50).Select(_ => corpus.Text(100)).ToList() : null;
                await MeasureAsync(level, search, store, source, table, collection, settings, embedder, queries, longQueries, ct);
                if (inserted < size)
                {
                    level["skipped"] = $"load budget of {loadBudget.TotalMinutes:0} min used up at {inserted} chunks";
                    break;
                }
            }
        }
        finally
        {
            await store.DropCollectionAsync(collection, ct);
        }
        if (realSet is not null)
        {
            result["realSet"] = await RealSetAsync(store, embedders, settings.Embedding, realSet, ct);
        }
        return result;
    }

    /// <summary>The labelled real-text set through the same code as <c>fathom eval</c>: every mode, then the reference run.</summary>
    private static async Task<JsonObject> RealSetAsync(ChunkStore store, CollectionEmbedders embedders, EmbeddingSettings embedding, string folder, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(folder, "corpus.jsonl")))
        {
            return new JsonObject { ["error"] = $"no BEIR set in {folder}" };
        }
        var dataset = BeirDataset.Load(folder);
        Log.Line($"search: real set {folder}: {dataset.Corpus.Count} documents, {dataset.JudgedQueries.Count} queries; indexing");
        await using var collection = await EvaluationCollection.IndexAsync(dataset, store, embedders, embedding, ct);
        var source = File.Exists(Path.Combine(folder, "SOURCE")) ? (await File.ReadAllTextAsync(Path.Combine(folder, "SOURCE"), ct)).Trim() : folder;
        var rankings = new JsonArray();
        var evaluations = new List<ModeEvaluation>();
        foreach (var mode in SearchModes.All)
        {
            evaluations.Add(await collection.EvaluateAsync(mode, Bm25Settings.Default, HybridFusion.Default, ct));
        }
        var reference = Path.Combine(folder, "bm25-reference.run");
        if (File.Exists(reference))
        {
            evaluations.Add(await EvaluationCollection.EvaluateRunAsync(dataset, reference, "bm25 reference", ct));
        }
        foreach (var e in evaluations)
        {
            rankings.Add(new JsonObject
            {
                ["ranking"] = e.Name,
                ["recallAt10"] = Math.Round(e.Result.MeanRecall, 3),
                ["ndcgAt10"] = Math.Round(e.Result.MeanNdcg, 3),
                ["p50Ms"] = e.P50Ms > 0 ? Stats.Round(e.P50Ms, 1) : null,
                ["p95Ms"] = e.P95Ms > 0 ? Stats.Round(e.P95Ms, 1) : null,
            });
            Log.Line($"search: real set {e.Name}: nDCG@10 {e.Result.MeanNdcg:0.000}, recall@10 {e.Result.MeanRecall:0.000}");
        }
        return new JsonObject
        {
            ["source"] = source,
            ["documents"] = dataset.Corpus.Count,
            ["queries"] = dataset.JudgedQueries.Count,
            ["chunks"] = collection.ChunkCount,
            ["indexSeconds"] = Stats.Round(collection.IndexSeconds, 1),
            ["chunkDepth"] = EvaluationCollection.ChunkDepth,
            ["bm25"] = $"k1 {Bm25Settings.Default.K1.ToString(CultureInfo.InvariantCulture)}, b {Bm25Settings.Default.B.ToString(CultureInfo.InvariantCulture)}",
            ["hybridFusion"] = $"{HybridFusion.Default.MethodName}, full text {HybridFusion.Default.FullTextWeight.ToString(CultureInfo.InvariantCulture)}",
            ["rankings"] = rankings,
        };
    }

    private static async Task MeasureAsync(JsonObject level, ChunkSearch search, ChunkStore store, NpgsqlDataSource source, string table, Guid collection,
        CollectionSettings settings, HashedNgramEmbeddingGenerator embedder, List<string> queries, List<string>? longQueries, CancellationToken ct)
    {
        foreach (var mode in SearchModes.All)
        {
            foreach (var q in queries.Take(10))
            {
                await search.SearchAsync(collection, settings, new SearchQuery(q, mode, TopK), ct);
            }
            var samples = new List<double>();
            var modeClock = Stopwatch.StartNew();
            // Two rounds, unless the first took over 40 s: the run stays within its budget.
            for (var round = 0; round < 2 && (round == 0 || modeClock.Elapsed < TimeSpan.FromSeconds(40)); round++)
            {
                foreach (var q in queries)
                {
                    var clock = Stopwatch.StartNew();
                    await search.SearchAsync(collection, settings, new SearchQuery(q, mode, TopK), ct);
                    samples.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            level[mode.Name()] = Latency(samples);
            Log.Line($"search: {mode.Name(),-8} p50 {Stats.Percentile(samples, 50):0.0} ms p99 {Stats.Percentile(samples, 99):0.0} ms");
        }

        // Recall@10 of the HNSW path against exact search, with the latency of exact search beside it.
        var recall = 0d;
        var similarity = 0d;
        var exactSamples = new List<double>();
        var exactIds = new List<HashSet<string>>();
        foreach (var q in queries)
        {
            var vector = embedder.Embed(q);
            var hnsw = await store.SearchVectorAsync(collection, vector, TopK, null, ct);
            var clock = Stopwatch.StartNew();
            var exact = await store.SearchVectorAsync(collection, vector, TopK, null, ct, exact: true);
            exactSamples.Add(clock.Elapsed.TotalMilliseconds);
            var truth = exact.Select(h => h.ChunkId).ToHashSet(StringComparer.Ordinal);
            exactIds.Add(truth);
            recall += truth.Count == 0 ? 1 : hnsw.Count(h => truth.Contains(h.ChunkId)) / (double)truth.Count;
            // How much of the best possible similarity the approximate top 10 keeps (1 = as good as exact).
            similarity += exact.Sum(h => h.Score) is var best and > 0 ? Math.Min(1, hnsw.Sum(h => h.Score) / best) : 1;
        }
        level["recallAt10"] = Math.Round(recall / queries.Count, 3);
        level["similarityKeptAt10"] = Math.Round(similarity / queries.Count, 3);
        if (longQueries is not null)
        {
            // The same measure for queries shaped like the chunks (≈100 words): the query distribution's share of the misses.
            var longRecall = 0d;
            foreach (var q in longQueries)
            {
                var vector = embedder.Embed(q);
                var hnsw = await store.SearchVectorAsync(collection, vector, TopK, null, ct);
                var truth = (await store.SearchVectorAsync(collection, vector, TopK, null, ct, exact: true)).Select(h => h.ChunkId).ToHashSet(StringComparer.Ordinal);
                longRecall += truth.Count == 0 ? 1 : hnsw.Count(h => truth.Contains(h.ChunkId)) / (double)truth.Count;
            }
            level["recallAt10ChunkLikeQueries"] = Math.Round(longRecall / longQueries.Count, 3);
            Log.Line($"search: recall@10 for chunk-like queries {longRecall / longQueries.Count:0.000}");
        }
        level["exactVector"] = Latency(exactSamples);
        Log.Line($"search: recall@10 {recall / queries.Count:0.000}; exact p50 {Stats.Median(exactSamples):0.0} ms");

        // The same HNSW query with a larger candidate list (SET LOCAL hnsw.ef_search; pgvector's default is 40).
        var sweep = new JsonArray();
        foreach (var ef in EfSearch)
        {
            var hits = 0d;
            var samples = new List<double>();
            for (var i = 0; i < queries.Count; i++)
            {
                var vector = new Pgvector.Vector(embedder.Embed(queries[i]));
                await using var connection = await source.OpenConnectionAsync(ct);
                await using var tx = await connection.BeginTransactionAsync(ct);
                // enable_seqscan off: with a large ef_search the planner may otherwise prefer an exact scan of a small table.
                await using (var set = new NpgsqlCommand($"SET LOCAL hnsw.ef_search = {ef}; SET LOCAL enable_seqscan = off", connection, tx))
                {
                    await set.ExecuteNonQueryAsync(ct);
                }
                var clock = Stopwatch.StartNew();
                await using var command = new NpgsqlCommand($"SELECT id FROM {table} ORDER BY embedding <=> $1 LIMIT {TopK}", connection, tx);
                command.Parameters.Add(new NpgsqlParameter { Value = vector });
                var ids = new List<string>();
                await using (var reader = await command.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        ids.Add(reader.GetString(0));
                    }
                }
                samples.Add(clock.Elapsed.TotalMilliseconds);
                await tx.CommitAsync(ct);
                hits += exactIds[i].Count == 0 ? 1 : ids.Count(exactIds[i].Contains) / (double)exactIds[i].Count;
            }
            sweep.Add(new JsonObject { ["efSearch"] = ef, ["recallAt10"] = Math.Round(hits / queries.Count, 3), ["p50Ms"] = Stats.Round(Stats.Median(samples), 2) });
            Log.Line($"search: ef_search {ef}: recall@10 {hits / queries.Count:0.000}, p50 {Stats.Median(samples):0.00} ms");
        }
        level["efSearchSweep"] = sweep;
    }

    private static JsonObject Latency(List<double> samples) => new()
    {
        ["samples"] = samples.Count,
        ["p50Ms"] = Stats.Round(Stats.Percentile(samples, 50), 2),
        ["p90Ms"] = Stats.Round(Stats.Percentile(samples, 90), 2),
        ["p99Ms"] = Stats.Round(Stats.Percentile(samples, 99), 2),
        ["meanMs"] = Stats.Round(samples.Average(), 2),
    };

    private static async Task ExecuteAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }
}
