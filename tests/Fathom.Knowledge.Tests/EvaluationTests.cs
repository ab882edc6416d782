using Fathom.Knowledge.Embeddings;
using Fathom.Knowledge.Evaluation;
using Xunit.Abstractions;

namespace Fathom.Knowledge.Tests;

public sealed class EvaluationTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fathom-beir-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private void WriteDataset(string corpus, string queries, string qrels)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "qrels"));
        File.WriteAllText(Path.Combine(_folder, "corpus.jsonl"), corpus);
        File.WriteAllText(Path.Combine(_folder, "queries.jsonl"), queries);
        File.WriteAllText(Path.Combine(_folder, "qrels", "test.tsv"), qrels);
    }

    [Fact]
    public void Loads_corpus_queries_and_graded_qrels()
    {
        WriteDataset(
            "{\"_id\": \"d1\", \"title\": \"One\", \"text\": \"first\"}\n{\"_id\": \"d2\", \"text\": \"second\"}\n\n",
            "{\"_id\": \"q1\", \"text\": \"find first\"}\n{\"_id\": \"q2\", \"text\": \"unjudged\"}\n",
            "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\n");

        var dataset = BeirDataset.Load(_folder);

        Assert.Equal(new BeirDocument("d1", "One", "first"), dataset.Corpus["d1"]);
        Assert.Equal(string.Empty, dataset.Corpus["d2"].Title);
        Assert.Equal("find first", dataset.Queries["q1"].Text);
        Assert.Equal(2, dataset.Qrels["q1"]["d1"]);
        Assert.Equal(0, dataset.Qrels["q1"]["d2"]);
        Assert.Equal(["q1"], dataset.JudgedQueries.Select(q => q.Id));
    }

    [Fact]
    public void Bad_line_is_reported_with_file_and_line_number()
    {
        WriteDataset("{\"_id\": \"d1\", \"text\": \"ok\"}\n{\"_id\": \"d2\"}\n", "", "query-id\tcorpus-id\tscore\n");

        var error = Assert.Throws<FormatException>(() => BeirDataset.Load(_folder));

        Assert.Contains("corpus.jsonl:2", error.Message, StringComparison.Ordinal);
        Assert.Contains("'text'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recall_counts_relevant_documents_in_the_top_k()
    {
        var judgements = new Dictionary<string, int> { ["a"] = 1, ["b"] = 2, ["c"] = 0, ["d"] = 1 };

        Assert.Equal(2.0 / 3, RetrievalMetrics.RecallAtK(["a", "x", "b", "d"], judgements, 3), 12);
        Assert.Equal(1.0, RetrievalMetrics.RecallAtK(["a", "x", "b", "d"], judgements, 4), 12);
        Assert.Equal(0.0, RetrievalMetrics.RecallAtK(["c", "x"], judgements, 2), 12);
        Assert.Equal(0.0, RetrievalMetrics.RecallAtK(["a"], new Dictionary<string, int>(), 1), 12);
    }

    [Fact]
    public void Ndcg_uses_graded_gains_and_log_discount()
    {
        var judgements = new Dictionary<string, int> { ["a"] = 3, ["b"] = 2, ["c"] = 1 };

        // Ranking b, x, a: DCG = 2/log2(2) + 0 + 3/log2(4) = 2 + 1.5 = 3.5
        // Ideal a, b, c: 3 + 2/log2(3) + 1/log2(4) = 3 + 1.26186 + 0.5 = 4.76186
        Assert.Equal(3.5 / (3 + (2 / Math.Log2(3)) + 0.5), RetrievalMetrics.NdcgAtK(["b", "x", "a"], judgements, 3), 10);
        Assert.Equal(1.0, RetrievalMetrics.NdcgAtK(["a", "b", "c"], judgements, 3), 12);
        // At k = 1 only the first result counts: b (2) against ideal a (3).
        Assert.Equal(2.0 / 3.0, RetrievalMetrics.NdcgAtK(["b", "a"], judgements, 1), 12);
        Assert.Equal(0.0, RetrievalMetrics.NdcgAtK(["x", "y"], judgements, 2), 12);
        // A repeated id is not counted twice.
        Assert.Equal(RetrievalMetrics.NdcgAtK(["a", "x"], judgements, 2), RetrievalMetrics.NdcgAtK(["a", "a", "x"], judgements, 2), 12);
    }

    [Fact]
    public void Shipped_evaluation_set_loads_and_every_judgement_points_at_a_document()
    {
        var dataset = BeirDataset.Load(Path.Combine(AppContext.BaseDirectory, "EvaluationSet"));

        Assert.InRange(dataset.Corpus.Count, 40, 60);
        Assert.InRange(dataset.JudgedQueries.Count, 20, 30);
        Assert.Equal(dataset.Queries.Count, dataset.JudgedQueries.Count);
        Assert.All(dataset.Qrels, query =>
        {
            Assert.True(dataset.Queries.ContainsKey(query.Key), $"qrels name unknown query {query.Key}");
            Assert.All(query.Value.Keys, doc => Assert.True(dataset.Corpus.ContainsKey(doc), $"{query.Key} points at missing document {doc}"));
            Assert.Contains(query.Value.Values, score => score > 0);
        });
        Assert.All(dataset.Corpus.Values, doc => Assert.False(string.IsNullOrWhiteSpace(doc.Text)));
    }

    [Fact]
    public async Task Hashed_embedder_finds_keyword_queries_in_the_evaluation_set()
    {
        var dataset = BeirDataset.Load(Path.Combine(AppContext.BaseDirectory, "EvaluationSet"));
        using var embedder = new HashedNgramEmbeddingGenerator();
        var documents = dataset.Corpus.Values.Select(d => (d.Id, Vector: embedder.Embed($"{d.Title}\n{d.Text}"))).ToList();

        var evaluation = await dataset.EvaluateAsync(
            (query, _) =>
            {
                var q = embedder.Embed(query.Text);
                IReadOnlyList<string> ranked = documents
                    .OrderByDescending(d => d.Vector.Zip(q, (a, b) => a * b).Sum())
                    .ThenBy(d => d.Id, StringComparer.Ordinal)
                    .Select(d => d.Id)
                    .ToList();
                return Task.FromResult(ranked);
            },
            k: 10,
            CancellationToken.None);

        output.WriteLine($"hashed embedder on the evaluation set: Recall@10 {evaluation.MeanRecall:F3}, nDCG@10 {evaluation.MeanNdcg:F3}");
        Assert.Equal(dataset.JudgedQueries.Count, evaluation.QueryCount);
        // A lexical embedder cannot solve the paraphrased half, but must do far better than chance (~0.2).
        Assert.InRange(evaluation.MeanRecall, 0.6, 1.0);
        Assert.InRange(evaluation.MeanNdcg, 0.45, 1.0);
    }
}
