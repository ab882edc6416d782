using System.Globalization;
using System.Text.Json;

namespace Fathom.Knowledge.Evaluation;

public sealed record BeirDocument(string Id, string Title, string Text);

public sealed record BeirQuery(string Id, string Text);

/// <summary>
/// A retrieval test set in the BEIR layout: <c>corpus.jsonl</c> ({"_id", "title", "text"} per line),
/// <c>queries.jsonl</c> ({"_id", "text"}) and <c>qrels/{split}.tsv</c> (query-id, corpus-id, score,
/// after a header line). Scores are graded relevance; 0 means judged not relevant.
/// </summary>
public sealed class BeirDataset
{
    private BeirDataset(IReadOnlyDictionary<string, BeirDocument> corpus, IReadOnlyDictionary<string, BeirQuery> queries, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> qrels)
    {
        Corpus = corpus;
        Queries = queries;
        Qrels = qrels;
    }

    public IReadOnlyDictionary<string, BeirDocument> Corpus { get; }

    public IReadOnlyDictionary<string, BeirQuery> Queries { get; }

    /// <summary>Query id → (document id → relevance).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Qrels { get; }

    /// <summary>The queries that have relevance judgements, in id order (what an evaluation runs).</summary>
    public IReadOnlyList<BeirQuery> JudgedQueries =>
        [.. Queries.Values.Where(q => Qrels.ContainsKey(q.Id)).OrderBy(q => q.Id, StringComparer.Ordinal)];

    /// <summary>Reads a dataset folder. Throws <see cref="FormatException"/> naming the file and line of a bad record.</summary>
    public static BeirDataset Load(string folder, string split = "test")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var corpus = new Dictionary<string, BeirDocument>(StringComparer.Ordinal);
        foreach (var (line, root, file) in ReadJsonLines(Path.Combine(folder, "corpus.jsonl")))
        {
            var id = RequiredString(root, "_id", file, line);
            corpus[id] = new BeirDocument(id, OptionalString(root, "title"), RequiredString(root, "text", file, line));
        }

        var queries = new Dictionary<string, BeirQuery>(StringComparer.Ordinal);
        foreach (var (line, root, file) in ReadJsonLines(Path.Combine(folder, "queries.jsonl")))
        {
            var id = RequiredString(root, "_id", file, line);
            queries[id] = new BeirQuery(id, RequiredString(root, "text", file, line));
        }

        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var qrelsFile = Path.Combine(folder, "qrels", split + ".tsv");
        var lineNumber = 0;
        foreach (var text in File.ReadLines(qrelsFile))
        {
            lineNumber++;
            if (lineNumber == 1 || string.IsNullOrWhiteSpace(text))
            {
                continue; // header: query-id corpus-id score
            }

            var fields = text.Split('\t');
            if (fields.Length < 3 || !int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var score))
            {
                throw new FormatException($"{qrelsFile}:{lineNumber}: expected 'query-id<TAB>corpus-id<TAB>score'.");
            }

            if (!qrels.TryGetValue(fields[0], out var judged))
            {
                qrels[fields[0]] = judged = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            judged[fields[1]] = score;
        }

        return new BeirDataset(
            corpus,
            queries,
            qrels.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, int>)p.Value, StringComparer.Ordinal));
    }

    /// <summary>
    /// Runs <paramref name="search"/> for every judged query and averages Recall@k and nDCG@k.
    /// <paramref name="search"/> returns document ids, best first.
    /// </summary>
    public async Task<RetrievalEvaluation> EvaluateAsync(Func<BeirQuery, CancellationToken, Task<IReadOnlyList<string>>> search, int k, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var queries = JudgedQueries;
        double recall = 0, ndcg = 0;
        foreach (var query in queries)
        {
            var ranked = await search(query, cancellationToken).ConfigureAwait(false);
            recall += RetrievalMetrics.RecallAtK(ranked, Qrels[query.Id], k);
            ndcg += RetrievalMetrics.NdcgAtK(ranked, Qrels[query.Id], k);
        }

        return queries.Count == 0
            ? new RetrievalEvaluation(k, 0, 0, 0)
            : new RetrievalEvaluation(k, queries.Count, recall / queries.Count, ndcg / queries.Count);
    }

    private static IEnumerable<(int Line, JsonElement Root, string File)> ReadJsonLines(string file)
    {
        var lineNumber = 0;
        foreach (var text in File.ReadLines(file))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(text);
                root = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new FormatException($"{file}:{lineNumber}: not valid JSON ({ex.Message}).", ex);
            }

            yield return (lineNumber, root, file);
        }
    }

    private static string RequiredString(JsonElement root, string name, string file, int line) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? (value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText())
            : throw new FormatException($"{file}:{line}: missing string field '{name}'.");

    private static string OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}

/// <summary>Mean metrics over <paramref name="QueryCount"/> judged queries at cut-off <paramref name="K"/>.</summary>
public sealed record RetrievalEvaluation(int K, int QueryCount, double MeanRecall, double MeanNdcg);
