using Fathom.Knowledge.Search;

namespace Fathom.Knowledge.Stores.Answers;

/// <summary>A search as the API answers it: ranked chunks of the caller's live documents, with names and highlighted snippets.</summary>
public sealed class Retrieval(ChunkSearch search, DocumentStore documents)
{
    public async Task<IReadOnlyList<SearchResult>> SearchAsync(Guid owner, Collection collection, SearchQuery query, CancellationToken ct)
    {
        var hits = await search.SearchAsync(collection.Id, collection.Settings, query, ct);
        var names = await documents.NamesAsync(owner, hits.Select(h => h.DocumentId).Distinct().ToArray(), ct);
        return hits
            .Where(h => names.ContainsKey(h.DocumentId))
            .Select(h => new SearchResult(h.ChunkId, collection.Id, h.DocumentId, names[h.DocumentId], h.Position, h.Page, h.Heading, Math.Round(h.Score, 6),
                SnippetHighlighter.Highlight(h.Text, query.Text), h.Text))
            .ToList();
    }
}
