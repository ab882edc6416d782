using System.ComponentModel;
using Fathom.Data;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Fathom.Knowledge.Stores.Answers;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Assistants.Functions.Mcp;

/// <summary>
/// MCP tools over the caller's collections, served at <c>/api/mcp</c> (streamable HTTP, stateless) for
/// assistants that speak MCP. The caller is whoever the Bearer API key or token names. Every tool declares an
/// output schema and answers structured content (with the same JSON as text for older clients). A refused call
/// is a tool error whose text says what to change, since the assistant reading it has to fix its own call.
/// </summary>
[McpServerToolType]
public sealed class KnowledgeTools(IHttpContextAccessor http, CollectionStore collections, Retrieval retrieval, Answering answering)
{
    public const int MaxTopK = 50;
    public const int MaxAskTopK = 20;

    private Guid Caller => http.HttpContext!.User.UserId();

    [McpServerTool(Name = "list_collections", ReadOnly = true, UseStructuredContent = true), Description("Lists the caller's knowledge collections (id, name, description, document count).")]
    public async Task<McpCollectionList> ListCollections(CancellationToken ct)
    {
        var page = await collections.ListAsync(Caller, new PageRequest(1, PageRequest.MaxPageSize), ct);
        return new McpCollectionList(page.Items.Select(c => new McpCollection(c.Id, c.Name, c.Description, c.DocumentCount)).ToList());
    }

    [McpServerTool(Name = "search", ReadOnly = true, UseStructuredContent = true), Description("Searches a collection and returns the best-matching passages with their document, page and score.")]
    public async Task<SearchResponse> Search(
        [Description("Collection id or name")] string collection,
        [Description("What to look for")] string query,
        [Description("vector, fulltext or hybrid (default)")] string mode = SearchModes.Hybrid,
        [Description("How many passages (1-50)")] int topK = 5,
        CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(query) || query.Length > 2000)
        {
            throw new McpException("'query' must be 1 to 2000 characters long.");
        }
        if (!SearchModes.TryParse(mode, out var searchMode))
        {
            throw new McpException($"Unknown mode '{mode}': use one of {string.Join(", ", SearchModes.Names)}.");
        }
        if (topK is < 1 or > MaxTopK)
        {
            throw new McpException($"'topK' must be between 1 and {MaxTopK} (was {topK}).");
        }
        var found = await FindAsync(collection, ct);
        return new SearchResponse(searchMode.Name(), await retrieval.SearchAsync(Caller, found, new SearchQuery(query, searchMode, topK), ct));
    }

    [McpServerTool(Name = "ask", ReadOnly = true, UseStructuredContent = true), Description("Answers a question from a collection, citing passages as [n].")]
    public async Task<AskResponse> Ask(
        [Description("Collection id or name")] string collection,
        [Description("The question")] string question,
        [Description("How many passages to answer from (1-20)")] int topK = 5,
        CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(question) || question.Length > 2000)
        {
            throw new McpException("'question' must be 1 to 2000 characters long.");
        }
        if (topK is < 1 or > MaxAskTopK)
        {
            throw new McpException($"'topK' must be between 1 and {MaxAskTopK} (was {topK}).");
        }
        var found = await FindAsync(collection, ct);
        return await Answering.CollectAsync(answering.AnswerAsync(Caller, found, Answering.Query(question, topK), null, ct), answering.Kind);
    }

    private async Task<Collection> FindAsync(string collection, CancellationToken ct)
        => await collections.FindAsync(Caller, collection, ct)
            ?? throw new McpException($"No collection '{collection}' among yours: call list_collections for their names and ids.");
}

public sealed record McpCollection(Guid Id, string Name, string Description, long DocumentCount);

public sealed record McpCollectionList(IReadOnlyList<McpCollection> Collections);
