using Fathom.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static Knowledge.Functions.Tests.KnowledgeFixture;

namespace Knowledge.Functions.Tests;

/// <summary>The clients people already have: OpenAI-compatible chat completions and MCP, served by the Assistants app over what Knowledge indexed.</summary>
[Collection(KnowledgeCollection.Name)]
public sealed class ClientProtocolTests(KnowledgeFixture fixture)
{
    /// <summary>A collection of Alice's with one indexed document, made through Knowledge; the client is Alice's for Assistants.</summary>
    private async Task<(HttpClient Client, Guid Collection)> ReadyCollectionAsync(string name)
    {
        using var knowledge = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(knowledge, name);
        var id = (await UploadAsync(knowledge, collection, ("comets.txt", SampleDocuments.Text("Comets grow bright tails of gas and dust when they pass close to the Sun."))))[0].Id;
        await WaitSettledAsync(knowledge, collection, id);
        return (fixture.ClientFor(fixture.Assistants, fixture.Alice), collection);
    }

    [Fact]
    public async Task An_openai_client_can_ask_a_collection_by_its_name()
    {
        var (alice, _) = await ReadyCollectionAsync("astronomy");
        using (alice)
        {
            var models = await alice.GetFromJsonAsync<JsonElement>("/api/v1/models");
            using var response = await alice.PostAsJsonAsync("/api/v1/chat/completions", new { model = "astronomy", messages = new[] { new { role = "user", content = "Why do comets have tails?" } } });
            var completion = await response.Content.ReadFromJsonAsync<JsonElement>();
            using var unknown = await alice.PostAsJsonAsync("/api/v1/chat/completions", new { model = "nope", messages = new[] { new { role = "user", content = "hi" } } });

            Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "astronomy");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("chat.completion", completion.GetProperty("object").GetString());
            var content = completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
            Assert.Contains("tails", content, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("[1] comets.txt", content, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
    }

    [Fact]
    public async Task The_sources_after_an_extractive_answer_are_only_the_ones_it_cites()
    {
        using var knowledge = fixture.ClientFor(fixture.Alice);
        using var alice = fixture.ClientFor(fixture.Assistants, fixture.Alice);
        var collection = await CreateCollectionAsync(knowledge, "astronomy-cited");
        foreach (var doc in await UploadAsync(knowledge, collection,
            ("comets.txt", SampleDocuments.Text("Comets grow bright tails of gas and dust when they pass close to the Sun.")),
            ("saturn.txt", SampleDocuments.Text("Saturn wears wide rings of ice and rock."))))
        {
            await WaitSettledAsync(knowledge, collection, doc.Id);
        }

        var retrieved = await SearchAsync(knowledge, collection, "Why do comets have tails?", "hybrid", 5);
        using var response = await alice.PostAsJsonAsync("/api/v1/chat/completions", new { model = "astronomy-cited", messages = new[] { new { role = "user", content = "Why do comets have tails?" } } });
        var content = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

        // Both passages are offered as sources; the answer quotes only the first.
        Assert.Equal(2, retrieved.Results.Count);
        Assert.Contains("[1]", content.Split("\n\nSources:")[0], StringComparison.Ordinal);
        Assert.EndsWith("\n\nSources:\n[1] comets.txt", content, StringComparison.Ordinal);
        Assert.DoesNotContain("saturn.txt", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_openai_client_can_stream_the_answer()
    {
        var (alice, _) = await ReadyCollectionAsync("astronomy-stream");
        using (alice)
        {
            using var response = await alice.PostAsJsonAsync("/api/v1/chat/completions", new { model = "astronomy-stream", stream = true, messages = new[] { new { role = "user", content = "What do comets grow?" } } });
            var body = await response.Content.ReadAsStringAsync();
            var chunks = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l["data: ".Length..]).ToList();

            Assert.Equal("[DONE]", chunks[^1]);
            var text = string.Concat(chunks.SkipLast(1).Select(c => JsonDocument.Parse(c).RootElement.GetProperty("choices")[0].GetProperty("delta"))
                .Where(d => d.TryGetProperty("content", out _)).Select(d => d.GetProperty("content").GetString()));
            Assert.Contains("dust", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_mcp_client_lists_tools_and_searches_with_its_credential()
    {
        var (alice, collection) = await ReadyCollectionAsync("mcp-astronomy");
        using (alice)
        {
            var tools = await McpAsync(alice, "tools/list", new { });
            var search = await McpAsync(alice, "tools/call", new { name = "search", arguments = new { collection = collection.ToString(), query = "comet tails", mode = "fulltext" } });
            using var anonymous = new HttpClient { BaseAddress = alice.BaseAddress };
            using var refused = await anonymous.SendAsync(McpRequest("tools/list", new { }));

            Assert.Equal(KnowledgeToolNames, ToolNames(tools));
            Assert.Contains("comets.txt", search.GetProperty("result").GetRawText(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
    }

    [Fact]
    public async Task Callers_racing_to_be_the_first_mcp_request_of_a_fresh_app_all_get_the_tools()
    {
        // The app builds its MCP endpoint on the first MCP request; the racers must all be answered by that one build.
        await using var fresh = await FunctionAppProcess.StartAsync("Assistants", fixture.Settings);
        using var client = new HttpClient { BaseAddress = fresh.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", fixture.Identity.Token(fixture.Alice));

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => McpAsync(client, "tools/list", new { })));

        Assert.All(answers, answer => Assert.Equal(KnowledgeToolNames, ToolNames(answer)));
    }

    [Fact]
    public async Task A_read_only_key_may_use_the_assistant_endpoints_and_mcp_is_rate_limited_like_the_rest()
    {
        var (alice, collection) = await ReadyCollectionAsync("read-key-astronomy");
        alice.Dispose();
        using var assistant = new HttpClient { BaseAddress = fixture.Assistants.Client.BaseAddress };
        assistant.DefaultRequestHeaders.Authorization = new("Bearer", await Fathom.Testing.TestIdentity.CreateApiKeyAsync(fixture.Database.Source, fixture.Alice, "read"));

        var search = await McpAsync(assistant, "tools/call", new { name = "search", arguments = new { collection = collection.ToString(), query = "comet tails", mode = "fulltext" } });
        using var chat = await assistant.PostAsJsonAsync("/api/v1/chat/completions", new { model = "read-key-astronomy", messages = new[] { new { role = "user", content = "Why do comets have tails?" } } });
        using var embeddings = await assistant.PostAsJsonAsync("/api/v1/embeddings", new { model = "read-key-astronomy", input = "comet" });

        Assert.Contains("comets.txt", search.GetProperty("result").GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(HttpStatusCode.OK, embeddings.StatusCode);

        // An Assistants app with a small budget: MCP calls spend it as REST calls do.
        var settings = new Dictionary<string, string>(fixture.Settings)
        {
            ["RateLimiting__KeyPrefix"] = $"fathom:test:{Guid.NewGuid():N}",
            ["RateLimiting__Default__PermitsPerMinute"] = "6",
            ["RateLimiting__Default__Burst"] = "3",
            ["RateLimiting__RedisTimeout"] = "00:00:02",
        };
        await using var limited = await FunctionAppProcess.StartAsync("Assistants", settings);
        using var client = new HttpClient { BaseAddress = limited.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", fixture.Identity.Token(fixture.Alice));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.SendAsync(McpRequest("tools/list", new { }));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(3));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[3]);
    }

    private static readonly string[] KnowledgeToolNames = ["ask", "list_collections", "search"];

    /// <summary>The tool names of a <c>tools/list</c> answer, in order.</summary>
    private static string[] ToolNames(JsonElement toolsList)
        => [.. toolsList.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order()];

    private static HttpRequestMessage McpRequest(string method, object parameters)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/mcp")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameters }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        return request;
    }

    private static async Task<JsonElement> McpAsync(HttpClient client, string method, object parameters)
    {
        using var response = await client.SendAsync(McpRequest(method, parameters));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        // Streamable HTTP may answer as JSON or as one server-sent event.
        var json = body.TrimStart().StartsWith('{') ? body : body.Split('\n').First(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
        return JsonDocument.Parse(json).RootElement;
    }
}
