using System.Diagnostics;
using System.Text.Json.Nodes;
using Fathom.Data;
using Fathom.Knowledge.Stores;
using Npgsql;
using Pgvector.Npgsql;

namespace Fathom.Bench;

/// <summary>
/// The HNSW index on its own, apart from any embedder: clustered dense 384-d vectors (what sentence embeddings
/// look like: many topics, points near their topic), loaded with ChunkStore's binary COPY, the index built with
/// ChunkStore.RebuildVectorIndexAsync, and recall@10 of ChunkStore's HNSW search against exact search for fresh
/// queries from the same distribution, at the default ef_search and a sweep. The hashed embedder's recall (a
/// lexical embedder whose vectors are sparse and nearly equidistant) stays in the search suite.
/// </summary>
public sealed class VectorIndexSuite(BenchEnvironment env, int rows, int queryCount)
{
    private const int Dimension = 384;
    private const int Clusters = 1000;
    private const int TopK = 10;
    private static readonly int[] EfSearch = [40, 100, 200];

    public async Task<JsonObject> RunAsync()
    {
        var ct = CancellationToken.None;
        var builder = new NpgsqlDataSourceBuilder(env.VectorStoreConnection);
        builder.UseVector();
        await using var source = builder.Build();
        var random = new Random(11);
        var centers = Enumerable.Range(0, Clusters).Select(_ => Point(random, null)).ToArray();
        var result = new JsonObject { ["rows"] = rows, ["dimension"] = Dimension, ["clusters"] = Clusters, ["queries"] = queryCount, ["topK"] = TopK };
        var collection = Guid.NewGuid();
        using var store = new ChunkStore(new VectorDatabase(source));
        try
        {
            await store.EnsureCollectionAsync(collection, Dimension, ct);
            await using (var drop = source.CreateCommand($"DROP INDEX {ChunkStore.Table(collection)}_hnsw"))
            {
                await drop.ExecuteNonQueryAsync(ct);
            }
            var load = Stopwatch.StartNew();
            var document = Guid.NewGuid();
            for (var from = 0; from < rows; from += 2000)
            {
                var batch = Enumerable.Range(from, Math.Min(2000, rows - from))
                    .Select(p => new ChunkRecord(ChunkRecord.IdFor(document, 1, p), document, 1, p, $"point {p}", null, null, Point(random, centers[random.Next(Clusters)])))
                    .ToList();
                await store.InsertAsync(collection, batch, ct);
            }
            result["copyRowsPerSecond"] = Stats.Round(rows / load.Elapsed.TotalSeconds, 0);
            var build = Stopwatch.StartNew();
            await store.RebuildVectorIndexAsync(collection, ct);
            result["hnswBuildSeconds"] = Stats.Round(build.Elapsed.TotalSeconds, 1);
            Log.Line($"vectorIndex: {rows} clustered vectors copied at {result["copyRowsPerSecond"]} rows/s, HNSW built in {result["hnswBuildSeconds"]} s");

            var queries = Enumerable.Range(0, queryCount).Select(_ => Point(random, centers[random.Next(Clusters)])).ToList();
            var truth = new List<HashSet<string>>();
            var exactMs = new List<double>();
            foreach (var q in queries)
            {
                var clock = Stopwatch.StartNew();
                truth.Add((await store.SearchVectorAsync(collection, q, TopK, null, ct, exact: true)).Select(h => h.ChunkId).ToHashSet(StringComparer.Ordinal));
                exactMs.Add(clock.Elapsed.TotalMilliseconds);
            }
            result["exactP50Ms"] = Stats.Round(Stats.Median(exactMs), 2);
            var sweep = new JsonArray();
            foreach (var ef in EfSearch)
            {
                using var tuned = new ChunkStore(new VectorDatabase(source)) { EfSearch = ef };
                var recall = 0d;
                var ms = new List<double>();
                for (var i = 0; i < queries.Count; i++)
                {
                    var clock = Stopwatch.StartNew();
                    var hits = await tuned.SearchVectorAsync(collection, queries[i], TopK, null, ct);
                    ms.Add(clock.Elapsed.TotalMilliseconds);
                    recall += hits.Count(h => truth[i].Contains(h.ChunkId)) / (double)truth[i].Count;
                }
                var row = new JsonObject
                {
                    ["efSearch"] = ef,
                    ["recallAt10"] = Math.Round(recall / queries.Count, 3),
                    ["p50Ms"] = Stats.Round(Stats.Percentile(ms, 50), 2),
                    ["p99Ms"] = Stats.Round(Stats.Percentile(ms, 99), 2),
                };
                sweep.Add(row);
                if (ef == ChunkStore.DefaultEfSearch)
                {
                    result["recallAt10"] = row["recallAt10"]!.DeepClone();
                    result["p50Ms"] = row["p50Ms"]!.DeepClone();
                }
                Log.Line($"vectorIndex: ef_search {ef}: recall@10 {row["recallAt10"]}, p50 {row["p50Ms"]} ms");
            }
            result["efSearchSweep"] = sweep;
        }
        finally
        {
            await store.DropCollectionAsync(collection, ct);
        }
        return result;
    }

    /// <summary>A unit vector: uniform on the sphere, or a point near <paramref name="center"/> (noise of about a third of its length).</summary>
    private static float[] Point(Random random, float[]? center)
    {
        var v = new float[Dimension];
        for (var i = 0; i < Dimension; i++)
        {
            // Box–Muller: Gaussian noise, so directions are uniform.
            var gaussian = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            v[i] = center is null ? gaussian : center[i] + (gaussian * 0.35f / MathF.Sqrt(Dimension));
        }
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        for (var i = 0; i < Dimension; i++)
        {
            v[i] /= norm;
        }
        return v;
    }
}
