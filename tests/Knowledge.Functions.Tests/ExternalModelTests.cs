using System.Net.Http.Json;
using Fathom.Testing;
using static Knowledge.Functions.Tests.KnowledgeFixture;

namespace Knowledge.Functions.Tests;

/// <summary>With an OpenAI-compatible provider configured: embeddings come from it, and answers are generated and streamed.</summary>
public sealed class ExternalModelTests
{
    [Fact]
    public async Task Collections_use_the_configured_embedding_endpoint_and_answers_come_from_the_chat_model()
    {
        await using var fake = await FakeOpenAIServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var identity = new TestIdentity();
        var user = await TestIdentity.CreateUserAsync(database.Source);
        var settings = new Dictionary<string, string>(identity.Settings)
        {
            ["PostgresConnection"] = database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
            ["VectorStoreConnection"] = TestStack.VectorStore,
            ["IngestStream"] = $"test:ingest:{Guid.NewGuid():N}",
            ["Embeddings__Provider"] = "openai",
            ["Embeddings__Endpoint"] = fake.BaseAddress,
            ["Embeddings__ApiKey"] = "test-key",
            ["Embeddings__Model"] = "fake-embed",
            ["Embeddings__Dimension"] = "8",
            ["Chat__Endpoint"] = fake.BaseAddress,
            ["Chat__ApiKey"] = "test-key",
            ["Chat__Model"] = "fake-chat",
        };
        foreach (var (key, value) in TestStack.GenerousRateLimits())
        {
            settings[key] = value;
        }
        await using var knowledge = await FunctionAppProcess.StartAsync("Knowledge", settings);
        await using var ingestion = await FunctionAppProcess.StartAsync("Ingestion", settings);
        using var client = new HttpClient { BaseAddress = knowledge.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", identity.Token(user));

        using var created = await client.PostAsJsonAsync("/api/collections", new { name = "Boats" });
        var collection = await created.ReadAsync<CollectionInfo>(System.Net.HttpStatusCode.Created);
        var id = collection.Id;
        var doc = (await UploadAsync(client, id, ("keel.txt", SampleDocuments.Text("A keel is the backbone beneath a hull; it keeps a sailboat upright."))))[0];
        var settled = await WaitSettledAsync(client, id, doc.Id);
        var vector = await SearchAsync(client, id, "keel beneath hull", "vector");

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/collections/{id}/ask") { Content = JsonContent.Create(new { question = "What keeps a sailboat upright?", stream = true }) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal("openai", collection.Settings.Embedding.Provider);
        Assert.Equal(8, collection.Settings.Embedding.Dimension);
        Assert.Equal("COMPLETE", settled.Status);
        Assert.True(fake.EmbeddingCalls >= 2, "ingestion and search should both embed through the endpoint");
        Assert.Equal("keel.txt", vector.Results[0].DocumentName);
        var tokens = events.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(e => e.StartsWith("event: token", StringComparison.Ordinal)).ToList();
        Assert.True(tokens.Count > 3, "the answer should arrive in several token events");
        Assert.Contains("\"kind\":\"generative\"", events, StringComparison.Ordinal);
        Assert.Contains("keeps a sailboat upright", Assert.Single(fake.ChatRequests)["messages"]!.ToJsonString(), StringComparison.Ordinal);
    }
}
