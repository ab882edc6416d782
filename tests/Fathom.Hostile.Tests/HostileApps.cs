using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fathom.Testing;

namespace Fathom.Hostile.Tests;

/// <summary>What one user owns, made through the API, to fill route values with real ids.</summary>
public sealed record Resources(
    Guid User,
    string Email,
    Guid Collection,
    string CollectionName,
    Guid Document,
    string Chunk,
    Guid Task,
    Guid Post,
    Guid ApiKeyId,
    string Marker)
{
    /// <summary>Ids that belong to this user alone (the public profile's user id is not among them).</summary>
    public IEnumerable<string> PrivateIds =>
        [Collection.ToString(), Document.ToString(), Chunk, Task.ToString(), Post.ToString(), ApiKeyId.ToString()];

    /// <summary>The id a route parameter names, by the literal segment before it (<c>collections/{id}</c>), else null.</summary>
    public string? IdFor(string? segment) => segment switch
    {
        "collections" => Collection.ToString(),
        "documents" => Document.ToString(),
        "chunks" => Uri.EscapeDataString(Chunk),
        "tasks" => Task.ToString(),
        "posts" => Post.ToString(),
        "users" => User.ToString(),
        "keys" => ApiKeyId.ToString(),
        "models" => CollectionName,
        _ => null,
    };

    /// <summary>Placeholders of <see cref="SampleBodies"/> filled with this user's ids.</summary>
    public string FillBody(string template) => template
        .Replace("{collection}", Collection.ToString(), StringComparison.Ordinal)
        .Replace("{collectionName}", CollectionName, StringComparison.Ordinal)
        .Replace("{document}", Document.ToString(), StringComparison.Ordinal)
        .Replace("{user}", User.ToString(), StringComparison.Ordinal);
}

/// <summary>
/// Every HTTP app (Auth, Users, Knowledge, Assistants, Posts, Tasks, Web) plus Ingestion as processes of their real builds, on a
/// fresh database with their own stream and rate-limit budgets; their endpoints read from the function tables they print.
/// </summary>
public sealed class HostileApps : IAsyncLifetime
{
    public static readonly string[] HttpApps = ["Auth", "Users", "Knowledge", "Assistants", "Posts", "Tasks", "Web"];

    public const string HostKey = "hostile-host-key-4f1c";

    public TestIdentity Identity { get; } = new();

    public TestDatabase Database { get; private set; } = null!;

    public Dictionary<string, FunctionAppProcess> Apps { get; } = new(StringComparer.Ordinal);

    public FunctionAppProcess Ingestion { get; private set; } = null!;

    /// <summary>Every function of every HTTP app, one entry per method, plus the protocol endpoints.</summary>
    public IReadOnlyList<Endpoint> Endpoints { get; private set; } = [];

    /// <summary>The same, plus /health/live, /health/ready and /metrics of each app.</summary>
    public IReadOnlyList<Endpoint> EndpointsAndHostEndpoints { get; private set; } = [];

    public Dictionary<string, string> Settings { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Settings = new Dictionary<string, string>(Identity.Settings)
        {
            ["PostgresConnection"] = Database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
            ["VectorStoreConnection"] = TestStack.VectorStore,
            ["IngestStream"] = $"test:ingest:{Guid.NewGuid():N}",
            ["FunctionsHost__Key"] = HostKey,
            ["FunctionsHost__Id"] = $"hostile-{Guid.NewGuid():N}",
            // Small enough that a hostile upload reaches it cheaply; the Ingestion limits stay at their defaults.
            ["Knowledge__MaxUploadBytes"] = "8388608",
            ["AzureFunctionsJobHost__extensions__redisStreams__pollingInterval"] = "00:00:00.100",
        };
        foreach (var (key, value) in TestStack.GenerousRateLimits())
        {
            Settings[key] = value;
        }
        var started = await Task.WhenAll(HttpApps.Select(app => FunctionAppProcess.StartAsync(app, Settings)).Append(FunctionAppProcess.StartAsync("Ingestion", Settings)));
        foreach (var app in started)
        {
            if (app.Name == "Ingestion")
            {
                Ingestion = app;
            }
            else
            {
                Apps[app.Name] = app;
            }
        }
        var endpoints = new List<Endpoint>();
        foreach (var name in HttpApps)
        {
            endpoints.AddRange(await EndpointTable.ReadAsync(Apps[name]));
            endpoints.AddRange(EndpointTable.ProtocolEndpoints(name));
        }
        Endpoints = endpoints;
        EndpointsAndHostEndpoints = [.. endpoints, .. HttpApps.SelectMany(EndpointTable.HostEndpoints)];
    }

    public IEnumerable<FunctionAppProcess> AllProcesses => Apps.Values.Append(Ingestion);

    public Uri BaseAddress(string app) => Apps[app].Client.BaseAddress!;

    /// <summary>A client that sends any header value (UTF-8) and leaves redirects and compression alone.</summary>
    public static HttpClient NewClient(TimeSpan? timeout = null) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        MaxConnectionsPerServer = 16,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = timeout ?? TimeSpan.FromSeconds(60),
    };

    public string Token(Guid user) => Identity.Token(user, TimeSpan.FromHours(2));

    /// <summary>A new user with a collection holding one indexed document, a task, a draft post and an API key.</summary>
    public async Task<Resources> SeedAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.test";
        var user = await TestIdentity.CreateUserAsync(Database.Source, email);
        var marker = $"zq{Guid.NewGuid():N}"[..14];
        using var client = NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(user));

        // Not the marker: a 404 may repeat the name it was asked for, the marker must never show.
        var collectionName = $"{name}-docs-{Guid.NewGuid():N}"[..20];
        var collection = await PostForIdAsync(client, new Uri(BaseAddress("Knowledge"), "/api/collections"), new { name = collectionName, settings = new { chunkSize = 64, chunkOverlap = 0 } });
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes($"The {marker} report of {name}. It speaks of herons, rivers and the survey at dawn.")), "files", "report.txt");
        using var uploaded = await client.PostAsync(new Uri(BaseAddress("Knowledge"), $"/api/collections/{collection}/documents"), form);
        Assert.Equal(HttpStatusCode.Accepted, uploaded.StatusCode);
        var document = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents")[0].GetProperty("id").GetGuid();
        await WaitCompleteAsync(client, collection, document);
        using var search = await client.PostAsJsonAsync(new Uri(BaseAddress("Knowledge"), $"/api/collections/{collection}/search"), new { query = marker, mode = "fulltext" });
        var chunk = (await search.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("chunkId").GetString()!;

        var task = await PostForIdAsync(client, new Uri(BaseAddress("Tasks"), "/api/tasks"), new { title = $"{marker} task of {name}" });
        var post = await PostForIdAsync(client, new Uri(BaseAddress("Posts"), "/api/posts"), new { title = $"{marker} draft of {name}", body = "Not published.", published = false });
        var (keyId, _) = await TestIdentity.CreateApiKeyWithIdAsync(Database.Source, user, "read", "write");
        return new Resources(user, email, collection, collectionName, document, chunk, task, post, keyId, marker);
    }

    private static async Task<Guid> PostForIdAsync(HttpClient client, Uri uri, object body)
    {
        using var response = await client.PostAsJsonAsync(uri, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {uri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public async Task<JsonElement> WaitSettledAsync(HttpClient client, Guid collection, Guid document, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var doc = await client.GetFromJsonAsync<JsonElement>(new Uri(BaseAddress("Knowledge"), $"/api/collections/{collection}/documents/{document}"));
            if (doc.GetProperty("status").GetString() is "COMPLETE" or "FAILED")
            {
                return doc;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Document {document} is still {doc.GetProperty("status")}:\n{Ingestion.Output[^Math.Min(3000, Ingestion.Output.Length)..]}");
            }
            await Task.Delay(100);
        }
    }

    private async Task WaitCompleteAsync(HttpClient client, Guid collection, Guid document)
    {
        var doc = await WaitSettledAsync(client, collection, document);
        Assert.Equal("COMPLETE", doc.GetProperty("status").GetString());
    }

    /// <summary>Processes that exited (a crash: nothing here stops them before the end).</summary>
    public IEnumerable<string> Crashed() => AllProcesses.Where(p => p.HasExited).Select(p => $"{p.Name} exited with {p.ExitCode}");

    /// <summary>Apps whose /health/live does not answer 200.</summary>
    public async Task<List<string>> NotLiveAsync()
    {
        var dead = new List<string>();
        foreach (var app in AllProcesses)
        {
            try
            {
                using var response = await app.Client.GetAsync("/health/live");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    dead.Add($"{app.Name}: /health/live {(int)response.StatusCode}");
                }
            }
            catch (HttpRequestException ex)
            {
                dead.Add($"{app.Name}: /health/live {ex.Message}");
            }
        }
        return dead;
    }

    public async Task DisposeAsync()
    {
        foreach (var app in AllProcesses.Where(a => a is not null))
        {
            await app.DisposeAsync();
        }
        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HostileCollection : ICollectionFixture<HostileApps>
{
    public const string Name = "hostile";
}
