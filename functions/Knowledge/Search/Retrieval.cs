using Fathom.Knowledge.Search;
using Fathom.Knowledge.Stores;

namespace Knowledge.Functions.Search;

/// <summary>A search as the API answers it: ranked chunks of the caller's live documents, with names and highlighted snippets.</summary>
public sealed class Retrieval(ChunkSearch search, DocumentStore documents)
{
    public async Task<IReadOnlyList<SearchResult>> SearchAsync(Guid owner, Collection collection, SearchRequest request, CancellationToken ct)
    {
        var hits = await search.SearchAsync(collection.Id, collection.Settings, request.Query, request.ModeOrDefault, request.TopKOrDefault, request.DocumentIds, request.FusionOrDefault, ct);
        var kept = hits.Where(h => request.MinScore is null || h.Score >= request.MinScore).ToList();
        var names = await documents.NamesAsync(owner, kept.Select(h => h.DocumentId).Distinct().ToArray(), ct);
        return kept
            .Where(h => names.ContainsKey(h.DocumentId))
            .Select(h => new SearchResult(h.ChunkId, collection.Id, h.DocumentId, names[h.DocumentId], h.Position, h.Page, h.Heading, Math.Round(h.Score, 6),
                SnippetHighlighter.Highlight(h.Text, request.Query), h.Text))
            .ToList();
    }
}
