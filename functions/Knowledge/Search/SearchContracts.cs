using Fathom.Functions;
using Fathom.Http;
using Fathom.Knowledge.Stores;
using Fathom.Knowledge.Stores.Answers;

namespace Knowledge.Functions.Search;

/// <summary>
/// One search. <c>minScore</c> applies to the mode's own score: cosine similarity (vector), BM25 (fulltext: unbounded,
/// comparable only within one query) or the fused score (hybrid: relative score fusion by default, full text weighted
/// <c>fullTextWeight</c>; reciprocal-rank fusion with <c>fusion: "rrf"</c> and <c>rrfK</c>).
/// </summary>
public sealed record SearchRequest(string Query, string? Mode, int? TopK, double? MinScore, Guid[]? DocumentIds, int? RrfK, string? Fusion = null, double? FullTextWeight = null) : IValidatable
{
    /// <summary>The search this request asks for, with the API's defaults filled in; only a validated request gets here.</summary>
    public SearchQuery ToQuery() => new(Query, Mode is null ? SearchMode.Hybrid : SearchModes.Parse(Mode), TopK ?? 10)
    {
        DocumentIds = DocumentIds,
        MinScore = MinScore,
        Fusion = new(Fusion is null ? HybridFusion.Default.Method : HybridFusion.Parse(Fusion), RrfK ?? HybridFusion.Default.RrfK, FullTextWeight ?? HybridFusion.Default.FullTextWeight),
    };

    public void Validate(ValidationErrors errors)
    {
        errors.Text("query", Query, 1, 2000);
        errors.OneOf("mode", Mode, SearchModes.Names);
        errors.Range("topK", TopK, 1, 50);
        errors.Range("rrfK", RrfK, 1, 1000);
        errors.OneOf("fusion", Fusion, HybridFusion.Methods);
        if (FullTextWeight is { } weight && !(weight >= 0 && weight <= 1))
        {
            errors.Add("fullTextWeight", "'fullTextWeight' must be between 0 and 1.");
        }
        if (DocumentIds is { Length: > 1000 })
        {
            errors.Add("documentIds", "At most 1000 document ids.");
        }
    }
}

public sealed record MultiSearchRequest(Guid[] CollectionIds, string Query, string? Mode, int? TopK, double? MinScore, int? RrfK, string? Fusion = null, double? FullTextWeight = null) : IValidatable
{
    public SearchRequest PerCollection => new(Query, Mode, TopK, MinScore, null, RrfK, Fusion, FullTextWeight);

    public void Validate(ValidationErrors errors)
    {
        if (CollectionIds is not { Length: >= 1 and <= 20 })
        {
            errors.Add("collectionIds", "Name 1 to 20 collections.");
        }
        PerCollection.Validate(errors);
    }
}

public sealed record AskRequest(string Question, int? TopK, bool? Stream) : IValidatable
{
    public SearchQuery ToQuery() => Answering.Query(Question, TopK);

    public void Validate(ValidationErrors errors)
    {
        errors.Text("question", Question, 1, 2000);
        errors.Range("topK", TopK, 1, 20);
    }
}

public sealed record AnswerDone(string Kind);
