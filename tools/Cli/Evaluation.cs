using System.Globalization;
using Fathom.Data;
using Fathom.Knowledge.Evaluation;
using Fathom.Knowledge.Stores;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Pgvector.Npgsql;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom-cli eval &lt;folder&gt;</c>: indexes a BEIR-layout corpus into a throwaway collection of the vector store
/// (the configured embedder, the default chunking), runs every judged query in each search mode through the same
/// ChunkSearch the API uses, and prints recall@10, nDCG@10 and query latency, with a reference run beside them
/// (<c>--reference FILE</c>, or <c>bm25-reference.run</c> in the folder, as <c>bench/eval/bm25_reference.py</c> writes it).
/// <c>--sweep</c> also prints full text over a grid of k1 and b, and hybrid under each fusion.
/// </summary>
public static class Evaluation
{
    public const string ReferenceFile = "bm25-reference.run";

    public static async Task<int> RunAsync(string folder, IReadOnlyList<string> options, IConfiguration configuration, TextWriter output, CancellationToken ct)
    {
        string? Option(string name) => options.SkipWhile(o => o != name).Skip(1).FirstOrDefault();
        double Number(string name, double fallback) => Option(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var fusion = Option("--rrf") is { } rrfK
            ? new HybridFusion(FusionMethod.ReciprocalRank, int.Parse(rrfK, CultureInfo.InvariantCulture))
            : new HybridFusion(Option("--fusion") is { } method ? HybridFusion.Parse(method) : HybridFusion.Default.Method, HybridFusion.Default.RrfK, Number("--fulltext-weight", HybridFusion.DefaultFullTextWeight));
        var bm25 = new Bm25Settings(Number("--k1", Bm25Settings.Default.K1), Number("--b", Bm25Settings.Default.B));
        var reference = Option("--reference") ?? Path.Combine(folder, ReferenceFile);

        var dataset = BeirDataset.Load(folder);
        if (configuration[VectorDatabase.ConnectionSetting] is null)
        {
            throw new InvalidOperationException($"{VectorDatabase.ConnectionSetting} is not set (local.settings.json or environment).");
        }
#pragma warning disable NPG9001 // Npgsql's plugin API, the one pgvector itself uses.
        await using var source = await PostgresDataSources.CreateForToolAsync(configuration, VectorDatabase.ConnectionSetting, ct,
            builder => builder.AddTypeInfoResolverFactory(new VectorTypeInfoResolverFactory()));
#pragma warning restore NPG9001
        using var chunks = new ChunkStore(new VectorDatabase(source));
        using var embedders = new CollectionEmbedders(configuration);
        var embedding = embedders.Default;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Corpus: {dataset.Corpus.Count} documents, {dataset.JudgedQueries.Count} judged queries; embedder {embedding.Provider}/{embedding.Model} ({embedding.Dimension} d); BM25 k1 {bm25.K1}, b {bm25.B}; hybrid fusion {Describe(fusion)}"));
        await using var collection = await EvaluationCollection.IndexAsync(dataset, chunks, embedders, embedding, ct);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Indexed {collection.ChunkCount} chunks in {collection.IndexSeconds:F1} s ({dataset.Corpus.Count / collection.IndexSeconds:F0} documents/s); documents rank by their best chunk among the top {EvaluationCollection.ChunkDepth}"));
        output.WriteLine();
        output.WriteLine("| ranking | recall@10 | nDCG@10 | p50 ms | p95 ms |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var mode in SearchModes.All)
        {
            Row(output, await collection.EvaluateAsync(mode, bm25, fusion, ct));
        }
        if (File.Exists(reference))
        {
            Row(output, await EvaluationCollection.EvaluateRunAsync(dataset, reference, $"reference: {Path.GetFileName(reference)}", ct));
        }
        if (options.Contains("--sweep"))
        {
            output.WriteLine();
            output.WriteLine("Full text over k1 × b, then hybrid under each fusion (with the k1 and b above):");
            output.WriteLine();
            output.WriteLine("| ranking | recall@10 | nDCG@10 | p50 ms | p95 ms |");
            output.WriteLine("|---|---|---|---|---|");
            foreach (var k1 in new[] { 0.6, 0.9, 1.2, 1.5 })
            {
                foreach (var b in new[] { 0.2, 0.4, 0.6, 0.75 })
                {
                    Row(output, await collection.EvaluateAsync(SearchMode.FullText, new Bm25Settings(k1, b), fusion, ct, string.Create(CultureInfo.InvariantCulture, $"fulltext k1 {k1} b {b}")));
                }
            }
            var variants = new[] { 0.5, 0.6, 0.7, 0.75, 0.8, 0.9 }.Select(w => new HybridFusion(FusionMethod.Relative, 60, w))
                .Concat(new[] { 10, 30, 60 }.Select(k => new HybridFusion(FusionMethod.ReciprocalRank, k)));
            foreach (var variant in variants)
            {
                Row(output, await collection.EvaluateAsync(SearchMode.Hybrid, bm25, variant, ct, $"hybrid {Describe(variant)}"));
            }
        }
        return 0;
    }

    private static string Describe(HybridFusion fusion)
        => fusion.Method == FusionMethod.ReciprocalRank
            ? string.Create(CultureInfo.InvariantCulture, $"rrf (k = {fusion.RrfK})")
            : string.Create(CultureInfo.InvariantCulture, $"relative (full text {fusion.FullTextWeight})");

    private static void Row(TextWriter output, ModeEvaluation e)
        => output.WriteLine(e.P50Ms > 0
            ? string.Create(CultureInfo.InvariantCulture, $"| {e.Name} | {e.Result.MeanRecall:F3} | {e.Result.MeanNdcg:F3} | {e.P50Ms:F1} | {e.P95Ms:F1} |")
            : string.Create(CultureInfo.InvariantCulture, $"| {e.Name} | {e.Result.MeanRecall:F3} | {e.Result.MeanNdcg:F3} | – | – |"));
}
