using System.Diagnostics;
using Fathom.Knowledge.Chunking;
using Fathom.Knowledge.Evaluation;
using Fathom.Knowledge.Parsing;

namespace Fathom.Knowledge.Stores;

/// <summary>One ranking's figures on a labelled set; latencies are 0 for a ranking read from a file.</summary>
public sealed record ModeEvaluation(string Name, RetrievalEvaluation Result, double P50Ms, double P95Ms);

/// <summary>
/// A BEIR-layout set indexed into a throwaway collection of the vector store (the default chunking, 400 tokens with
/// 50 of overlap; title and text as one section), searched through <see cref="ChunkSearch"/>, the code the API runs.
/// Documents rank by their best chunk: the first 10 distinct documents among the top <see cref="ChunkDepth"/> chunks
/// (the API's largest topK), so a long document's many chunks do not crowd the others out of the ten.
/// Disposing drops the collection. Used by <c>fathom eval</c> and the benchmark.
/// </summary>
public sealed class EvaluationCollection : IAsyncDisposable
{
    public const int ChunkDepth = 50;
    public const int K = 10;

    private readonly ChunkStore _chunks;
    private readonly ChunkSearch _search;
    private readonly BeirDataset _dataset;
    private readonly Dictionary<Guid, string> _documents = [];

    private EvaluationCollection(ChunkStore chunks, CollectionEmbedders embedders, BeirDataset dataset, EmbeddingSettings embedding)
    {
        _chunks = chunks;
        _search = new ChunkSearch(chunks, embedders);
        _dataset = dataset;
        Embedding = embedding;
    }

    public Guid Id { get; } = Guid.NewGuid();

    public EmbeddingSettings Embedding { get; }

    public int ChunkCount { get; private set; }

    public double IndexSeconds { get; private set; }

    public static async Task<EvaluationCollection> IndexAsync(BeirDataset dataset, ChunkStore chunks, CollectionEmbedders embedders, EmbeddingSettings embedding, CancellationToken ct)
    {
        var collection = new EvaluationCollection(chunks, embedders, dataset, embedding);
        try
        {
            await collection.IndexAsync(embedders, ct);
            return collection;
        }
        catch
        {
            await collection.DisposeAsync();
            throw;
        }
    }

    private async Task IndexAsync(CollectionEmbedders embedders, CancellationToken ct)
    {
        await _chunks.EnsureCollectionAsync(Id, Embedding.Dimension, ct);
        var chunker = new TextChunker(new ChunkingOptions { ChunkSize = 400, ChunkOverlap = 50 });
        var generator = embedders.For(Embedding);
        var clock = Stopwatch.StartNew();
        foreach (var document in _dataset.Corpus.Values)
        {
            var id = Guid.NewGuid();
            _documents[id] = document.Id;
            var parts = chunker.Split(new ParsedDocument([new DocumentSection($"{document.Title}\n\n{document.Text}")]), ct);
            if (parts.Count == 0)
            {
                continue;
            }
            var vectors = await generator.GenerateAsync(parts.Select(p => p.Text), cancellationToken: ct);
            await _chunks.InsertAsync(Id, parts.Select((p, i) => new ChunkRecord(
                ChunkRecord.IdFor(id, 1, p.Position), id, 1, p.Position, p.Text, p.Page, p.Heading, vectors[i].Vector.ToArray())).ToList(), ct);
            ChunkCount += parts.Count;
        }
        await _chunks.VacuumAsync(Id, ct);
        IndexSeconds = clock.Elapsed.TotalSeconds;
    }

    /// <summary>Every judged query through <see cref="ChunkSearch"/> in <paramref name="mode"/>; recall@10, nDCG@10 and latency.</summary>
    public async Task<ModeEvaluation> EvaluateAsync(SearchMode mode, Bm25Settings bm25, HybridFusion fusion, CancellationToken ct, string? name = null)
    {
        var settings = new CollectionSettings(400, 50, Embedding, bm25);
        var latencies = new List<double>();
        var result = await _dataset.EvaluateAsync(async (query, token) =>
        {
            var timer = Stopwatch.StartNew();
            var hits = await _search.SearchAsync(Id, settings, new SearchQuery(query.Text, mode, ChunkDepth) { Fusion = fusion }, token);
            latencies.Add(timer.Elapsed.TotalMilliseconds);
            return hits.Select(h => _documents[h.DocumentId]).Distinct().Take(K).ToList();
        }, K, ct);
        latencies.Sort();
        return new ModeEvaluation(name ?? mode.Name(), result, Percentile(latencies, 0.50), Percentile(latencies, 0.95));
    }

    /// <summary>Another system's rankings (a TREC run file) scored with the same metrics.</summary>
    public static async Task<ModeEvaluation> EvaluateRunAsync(BeirDataset dataset, string runFile, string name, CancellationToken ct)
    {
        var run = TrecRun.Load(runFile);
        var result = await dataset.EvaluateAsync((query, _) => Task.FromResult(run.GetValueOrDefault(query.Id) ?? []), K, ct);
        return new ModeEvaluation(name, result, 0, 0);
    }

    public async ValueTask DisposeAsync() => await _chunks.DropCollectionAsync(Id, CancellationToken.None);

    private static double Percentile(List<double> sorted, double p)
        => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
