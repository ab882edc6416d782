using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fathom.Testing;

namespace Clients.Tests;

/// <summary>
/// The Knowledge, Ingestion and Assistants apps as a user's client meets them: a fresh database, a user with an API key
/// (read and write, as a user would make one for an assistant), a chat and an embedding model (a real local
/// server speaking OpenAI's API) and a collection "keels" holding two documents. Two routes get a budget of
/// one call a minute so that each client suite can meet a 429.
/// </summary>
public sealed class ClientsFixture : IAsyncLifetime
{
    public const string Collection = "keels";
    public const string DotnetRateLimitedModel = "rate-limited-dotnet";
    public const string NodeRateLimitedModel = "rate-limited-node";

    /// <summary>An issuer given as a URL, as a deployment should set it: the resource metadata names it.</summary>
    public const string Issuer = "https://issuer.fathom.test";

    public TestIdentity Identity { get; } = new();

    public TestDatabase Database { get; private set; } = null!;

    internal FakeOpenAIServer Models { get; private set; } = null!;

    public FunctionAppProcess Knowledge { get; private set; } = null!;

    public FunctionAppProcess Ingestion { get; private set; } = null!;

    /// <summary>The OpenAI-compatible API and MCP.</summary>
    public FunctionAppProcess Assistants { get; private set; } = null!;

    public string ApiKey { get; private set; } = "";

    /// <summary>Where OpenAI clients point: the Assistants app's address plus /api/v1.</summary>
    public Uri OpenAIEndpoint => new(Assistants.Client.BaseAddress!, "/api/v1");

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        var user = await TestIdentity.CreateUserAsync(Database.Source);
        ApiKey = await CreateApiKeyAsync(user, ["read", "write"]);
        Models = await FakeOpenAIServer.StartAsync();
        var settings = new Dictionary<string, string>(Identity.Settings)
        {
            ["PostgresConnection"] = Database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
            ["VectorStoreConnection"] = TestStack.VectorStore,
            ["IngestStream"] = $"test:ingest:{Guid.NewGuid():N}",
            ["Chat__Endpoint"] = Models.BaseAddress,
            ["Chat__Model"] = "fake-chat",
            ["Chat__ApiKey"] = "test-key",
            ["Embeddings__Provider"] = "openai",
            ["Embeddings__Endpoint"] = Models.BaseAddress,
            ["Embeddings__Model"] = "fake-embed",
            ["Embeddings__ApiKey"] = "test-key",
            ["Embeddings__Dimension"] = FakeOpenAIServer.DefaultDimensions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AzureFunctionsJobHost__extensions__redisStreams__pollingInterval"] = "00:00:00.050",
            ["AzureFunctionsJobHost__extensions__redisStreams__visibilityTimeout"] = "00:00:01",
            // The suites use API keys, which name no issuer; tokens of TestIdentity would be refused.
            ["Auth__Issuer"] = Issuer,
        };
        foreach (var (key, value) in TestStack.GenerousRateLimits())
        {
            settings[key] = value;
        }
        var rule = 0;
        foreach (var model in new[] { DotnetRateLimitedModel, NodeRateLimitedModel })
        {
            settings[$"RateLimiting__Rules__{rule}__PathPrefix"] = $"/api/v1/models/{model}";
            settings[$"RateLimiting__Rules__{rule}__PermitsPerMinute"] = "1";
            settings[$"RateLimiting__Rules__{rule}__Burst"] = "1";
            rule++;
        }
        Knowledge = await FunctionAppProcess.StartAsync("Knowledge", settings);
        Ingestion = await FunctionAppProcess.StartAsync("Ingestion", settings);
        Assistants = await FunctionAppProcess.StartAsync("Assistants", settings);

        using var client = RestClient();
        using var created = await client.PostAsJsonAsync("/api/collections", new { name = Collection });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("A keel is the backbone beneath a hull; it keeps a sailboat upright against the wind.")), "files", "keel.txt" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("Sails catch the wind and drive the boat forward; a reef makes a sail smaller in a storm.")), "files", "sails.txt" },
        };
        using var uploaded = await client.PostAsync($"/api/collections/{id}/documents", form);
        Assert.Equal(HttpStatusCode.Accepted, uploaded.StatusCode);
        foreach (var document in (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents").EnumerateArray())
        {
            await WaitCompleteAsync(client, id, document.GetProperty("id").GetGuid());
        }
    }

    /// <summary>A plain HTTP client with the API key, for setting things up through the REST API.</summary>
    public HttpClient RestClient()
    {
        var client = new HttpClient { BaseAddress = Knowledge.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    /// <summary>An API key row as the Auth app writes it: only the SHA-256 of the key is stored.</summary>
    private async Task<string> CreateApiKeyAsync(Guid user, string[] scopes)
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var key = $"fth_{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))}";
        await using var command = Database.Source.CreateCommand("INSERT INTO api_keys (id, user_id, name, prefix, secret_hash, scopes) VALUES ($1, $2, 'clients', $3, $4, $5)");
        command.Parameters.Add(new() { Value = Guid.NewGuid() });
        command.Parameters.Add(new() { Value = user });
        command.Parameters.Add(new() { Value = prefix });
        command.Parameters.Add(new() { Value = SHA256.HashData(Encoding.UTF8.GetBytes(key)) });
        command.Parameters.Add(new() { Value = scopes });
        await command.ExecuteNonQueryAsync();
        return key;
    }

    private static async Task WaitCompleteAsync(HttpClient client, Guid collection, Guid document)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var doc = await client.GetFromJsonAsync<JsonElement>($"/api/collections/{collection}/documents/{document}");
            var status = doc.GetProperty("status").GetString();
            Assert.NotEqual("FAILED", status);
            if (status == "COMPLETE")
            {
                return;
            }
            Assert.True(DateTime.UtcNow < until, $"Document {document} still {status}.");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await Knowledge.DisposeAsync();
        await Ingestion.DisposeAsync();
        await Assistants.DisposeAsync();
        await Models.DisposeAsync();
        await Database.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClientsCollection : ICollectionFixture<ClientsFixture>
{
    public const string Name = "clients";
}
