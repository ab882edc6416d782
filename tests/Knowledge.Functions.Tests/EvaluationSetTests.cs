using Fathom.Knowledge.Evaluation;
using static Knowledge.Functions.Tests.KnowledgeFixture;

namespace Knowledge.Functions.Tests;

[Collection(KnowledgeCollection.Name)]
public sealed class EvaluationSetTests(KnowledgeFixture fixture)
{
    /// <summary>The shipped labelled set, through the real API: hybrid must do at least as well as the better single mode.</summary>
    [Fact]
    public async Task Hybrid_search_is_at_least_as_good_as_the_better_single_mode_on_the_shipped_set()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var dataset = BeirDataset.Load(Path.Combine(AppContext.BaseDirectory, "EvaluationSet"));
        var collection = await CreateCollectionAsync(alice, "Evaluation", chunkSize: 400, overlap: 50);
        var uploaded = await UploadAsync(alice, collection, dataset.Corpus.Values.Select(d => ($"{d.Id}.txt", SampleDocuments.Text($"{d.Title}\n\n{d.Text}"))).ToArray());
        foreach (var doc in uploaded)
        {
            await WaitSettledAsync(alice, collection, doc.Id);
        }

        var ndcg = new Dictionary<string, double>();
        foreach (var mode in new[] { "vector", "fulltext", "hybrid" })
        {
            var evaluation = await dataset.EvaluateAsync(async (query, ct) =>
            {
                var results = (await SearchAsync(alice, collection, query.Text, mode, 10)).Results;
                return results.Select(r => Path.GetFileNameWithoutExtension(r.DocumentName)).Distinct().ToList() as IReadOnlyList<string>;
            }, 10, CancellationToken.None);
            ndcg[mode] = evaluation.MeanNdcg;
        }

        Assert.True(ndcg["hybrid"] >= Math.Max(ndcg["vector"], ndcg["fulltext"]) - 1e-9,
            $"nDCG@10 vector {ndcg["vector"]:F3}, fulltext {ndcg["fulltext"]:F3}, hybrid {ndcg["hybrid"]:F3}");
    }
}
