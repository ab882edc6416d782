using System.ComponentModel;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Knowledge.Functions.Search;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.Server;

namespace Knowledge.Functions.Mcp;

/// <summary>
/// MCP tools over the caller's collections, served at <c>/api/mcp</c> (streamable HTTP, stateless) for
/// assistants that speak MCP. The caller is whoever the Bearer API key or token names.
/// </summary>
[McpServerToolType]
public sealed class KnowledgeTools(IHttpContextAccessor http, CollectionStore collections, Retrieval retrieval, Answering answering)
{
    private Guid Caller => http.HttpContext!.User.UserId();

    [McpServerTool(Name = "list_collections", ReadOnly = true), Description("Lists the caller's knowledge collections (id, name, description, document count).")]
    public async Task<IReadOnlyList<McpCollection>> ListCollections(CancellationToken ct)
    {
        var page = await collections.ListAsync(Caller, new PageRequest(1, PageRequest.MaxPageSize), ct);
        return page.Items.Select(c => new McpCollection(c.Id, c.Name, c.Description, c.DocumentCount)).ToList();
    }

    [McpServerTool(Name = "search", ReadOnly = true), Description("Searches a collection and returns the best-matching passages with their document, page and score.")]
    public async Task<IReadOnlyList<SearchResult>> Search(
        [Description("Collection id or name")] string collection,
        [Description("What to look for")] string query,
        [Description("vector, fulltext or hybrid (default)")] string mode = "hybrid",
        [Description("How many passages (1-50)")] int topK = 5,
        CancellationToken ct = default)
    {
        var found = await collections.FindAsync(Caller, collection, ct) ?? throw new McpToolException($"No collection '{collection}'.");
        var request = new SearchRequest(query, mode, Math.Clamp(topK, 1, 50), null, null, null);
        return await retrieval.SearchAsync(Caller, found, request, ct);
    }

    [McpServerTool(Name = "ask", ReadOnly = true), Description("Answers a question from a collection, citing passages as [n].")]
    public async Task<AskResponse> Ask(
        [Description("Collection id or name")] string collection,
        [Description("The question")] string question,
        CancellationToken ct = default)
    {
        var found = await collections.FindAsync(Caller, collection, ct) ?? throw new McpToolException($"No collection '{collection}'.");
        return await Answering.CollectAsync(answering.AnswerAsync(Caller, found, new AskRequest(question, null, null), ct), answering.Kind);
    }
}

public sealed record McpCollection(Guid Id, string Name, string Description, long DocumentCount);

public sealed class McpToolException(string message) : Exception(message);
