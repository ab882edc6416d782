namespace Fathom.Knowledge.Stores.Answers;

// What searches and answers return, the same records whichever API asks: REST (Knowledge), OpenAI and MCP (Assistants).

public sealed record SearchResult(string ChunkId, Guid CollectionId, Guid DocumentId, string DocumentName, int Position, int? Page, string? Heading, double Score, string Snippet, string Text);

public sealed record SearchResponse(string Mode, IReadOnlyList<SearchResult> Results);

public sealed record Citation(int N, string ChunkId, Guid DocumentId, string DocumentName, int? Page, string Snippet);

public sealed record AskResponse(string Answer, string Kind, IReadOnlyList<Citation> Citations);
