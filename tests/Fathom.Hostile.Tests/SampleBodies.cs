namespace Fathom.Hostile.Tests;

/// <summary>
/// A valid JSON body per function (by name), the one thing the function table cannot tell: the fuzzer takes its field
/// names and spoils each one, the tenant matrix sends it so that a call gets past validation to the owner check.
/// Placeholders (<c>{collection}</c>, <c>{collectionName}</c>, <c>{document}</c>, <c>{user}</c>) are the caller's ids. A
/// function missing here still gets every generic hostile body; give it a sample to have its own fields spoiled too.
/// </summary>
public static class SampleBodies
{
    private static readonly Dictionary<string, string> Bodies = new(StringComparer.Ordinal)
    {
        // Auth
        ["Signup"] = """{"email":"fuzz-{user}@example.test","password":"correct horse battery","displayName":"Fuzz"}""",
        ["Login"] = """{"email":"nobody-{user}@example.test","password":"correct horse battery"}""",
        ["Refresh"] = """{"refreshToken":"bm90LWEtcmVhbC1yZWZyZXNoLXRva2Vu"}""",
        ["Logout"] = """{"refreshToken":"bm90LWEtcmVhbC1yZWZyZXNoLXRva2Vu"}""",
        ["CreateApiKey"] = """{"name":"fuzz key","scopes":["read","write"]}""",
        ["Introspect"] = """{"token":"not-a-token"}""",
        // Users
        ["UpdateMe"] = """{"displayName":"Fuzzed","bio":"A bio."}""",
        // Knowledge
        ["CreateCollection"] = """{"name":"fuzz collection","description":"d","settings":{"chunkSize":128,"chunkOverlap":16,"embedding":{"provider":"hashed","model":"fathom-hashed-v1","dimension":64}}}""",
        ["UpdateCollection"] = """{"name":"{collectionName}","description":"updated"}""",
        ["SearchCollection"] = """{"query":"herons at dawn","mode":"hybrid","topK":5,"minScore":0.0,"documentIds":["{document}"],"rrfK":60,"fusion":"rrf"}""",
        ["SearchCollections"] = """{"collectionIds":["{collection}"],"query":"herons at dawn","mode":"fulltext","topK":5,"minScore":0.0,"rrfK":60,"fusion":"relative"}""",
        ["AskCollection"] = """{"question":"What does the report speak of?","topK":3,"stream":false}""",
        // Assistants
        ["ChatCompletions"] = """{"model":"{collection}","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"What does the report speak of?"}]}],"stream":false,"stream_options":{"include_usage":true},"max_tokens":50,"temperature":0.5,"top_p":1,"stop":["\n\n"],"n":1,"presence_penalty":0,"frequency_penalty":0,"seed":7}""",
        ["CreateEmbeddings"] = """{"model":"{collection}","input":["herons at dawn","rivers"],"encoding_format":"float","dimensions":32,"user":"u"}""",
        // Posts
        ["CreatePost"] = """{"title":"A fuzzed post","body":"Body text.","published":false}""",
        ["UpdatePost"] = """{"title":"Retitled","body":"New body.","published":false}""",
        ["IndexPost"] = """{"collectionId":"{collection}"}""",
        // Tasks
        ["CreateTask"] = """{"title":"A fuzzed task","description":"d","status":"todo","dueDate":"2030-01-31"}""",
        ["UpdateTask"] = """{"title":"Retitled","description":"d","status":"in_progress","dueDate":"2031-02-28","clearDueDate":false}""",
        // MCP (JSON-RPC over streamable HTTP)
        ["Mcp"] = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"collection":"{collection}","query":"herons","mode":"hybrid","topK":3}}}""",
    };

    /// <summary>Functions that take a multipart form instead of JSON.</summary>
    public static readonly HashSet<string> Multipart = new(StringComparer.Ordinal) { "UploadDocuments" };

    public static string? For(string function) => Bodies.GetValueOrDefault(function);

    /// <summary>True when the sample names the caller's resources (so another user sending it addresses them).</summary>
    public static bool NamesResources(string function)
        => For(function) is { } body && (body.Contains("{collection", StringComparison.Ordinal) || body.Contains("{document}", StringComparison.Ordinal));
}
