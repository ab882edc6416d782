using System.Diagnostics;
using System.Globalization;
using Fathom.Data;
using Fathom.Knowledge.Chunking;
using Fathom.Knowledge.Evaluation;
using Fathom.Knowledge.Parsing;
using Fathom.Knowledge.Stores;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Pgvector.Npgsql;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom-cli eval &lt;folder&gt;</c>: indexes a BEIR-layout corpus into a throwaway collection of the
/// vector store (the configured embedder, the default chunking), runs every judged query in each search
/// mode through the same ChunkSearch the API uses, and prints recall@10, nDCG@10 and query latency.
/// </summary>
public static class Evaluation
{
    public static async Task<int> RunAsync(string folder, HybridFusion fusion, IConfiguration configuration, TextWriter output, CancellationToken ct)
    {
        var dataset = BeirDataset.Load(folder);
        var connection = configuration[VectorDatabase.ConnectionSetting]
            ?? throw new InvalidOperationException($"{VectorDatabase.ConnectionSetting} is not set (local.settings.json or environment).");
        var builder = new NpgsqlSlimDataSourceBuilder(connection);
        builder.EnableArrays();
#pragma warning disable NPG9001 // Npgsql's plugin API, the one pgvector itself uses.
        builder.AddTypeInfoResolverFactory(new VectorTypeInfoResolverFactory());
#pragma warning restore NPG9001
        await using var source = builder.Build();
        using var chunks = new ChunkStore(new VectorDatabase(source));
        using var embedders = new CollectionEmbedders(configuration);
        var search = new ChunkSearch(chunks, embedders);
        var embedding = embedders.Default;
        var settings = new CollectionSettings(400, 50, embedding, Bm25Settings.Default);
        var collection = Guid.NewGuid();
        var corpusIds = new Dictionary<Guid, string>();

        output.WriteLine($"Corpus: {dataset.Corpus.Count} documents, {dataset.JudgedQueries.Count} judged queries; embedder {embedding.Provider}/{embedding.Model} ({embedding.Dimension} d); hybrid fusion {fusion.Method}{(fusion.Method == HybridFusion.ReciprocalRank ? $" (k = {fusion.RrfK})" : "")}");
        try
        {
            await chunks.EnsureCollectionAsync(collection, embedding.Dimension, ct);
            var chunker = new TextChunker(new ChunkingOptions { ChunkSize = 400, ChunkOverlap = 50 });
            var generator = embedders.For(embedding);
            var indexing = Stopwatch.StartNew();
            foreach (var document in dataset.Corpus.Values)
            {
                var id = Guid.NewGuid();
                corpusIds[id] = document.Id;
                var parts = chunker.Split(new ParsedDocument([new DocumentSection($"{document.Title}\n\n{document.Text}")]), ct);
                var vectors = await generator.GenerateAsync(parts.Select(p => p.Text), cancellationToken: ct);
                await chunks.InsertAsync(collection, parts.Select((p, i) => new ChunkRecord(
                    ChunkRecord.IdFor(id, 1, p.Position), id, 1, p.Position, p.Text, p.Page, p.Heading, vectors[i].Vector.ToArray())).ToList(), ct);
            }
            output.WriteLine($"Indexed in {indexing.Elapsed.TotalSeconds:F1} s ({dataset.Corpus.Count / indexing.Elapsed.TotalSeconds:F0} documents/s)");
            output.WriteLine();
            output.WriteLine("| mode | recall@10 | nDCG@10 | p50 ms | p95 ms |");
            output.WriteLine("|---|---|---|---|---|");
            foreach (var mode in ChunkSearch.Modes)
            {
                var latencies = new List<double>();
                var result = await dataset.EvaluateAsync(async (query, token) =>
                {
                    var timer = Stopwatch.StartNew();
                    var hits = await search.SearchAsync(collection, settings, query.Text, mode, 10, null, fusion, token);
                    latencies.Add(timer.Elapsed.TotalMilliseconds);
                    return hits.Select(h => corpusIds[h.DocumentId]).Distinct().ToList();
                }, 10, ct);
                latencies.Sort();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {mode} | {result.MeanRecall:F3} | {result.MeanNdcg:F3} | {Percentile(latencies, 0.50):F1} | {Percentile(latencies, 0.95):F1} |"));
            }
        }
        finally
        {
            await chunks.DropCollectionAsync(collection, CancellationToken.None);
        }
        return 0;
    }

    private static double Percentile(List<double> sorted, double p)
        => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
