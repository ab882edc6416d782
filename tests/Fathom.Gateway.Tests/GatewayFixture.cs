using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fathom.Testing;

namespace Fathom.Gateway.Tests;

/// <summary>
/// What the gateway tests share: a fresh database with one user, a gateway process started on it (its apps on free
/// ports), a client signed in as the user, and the upload-and-wait steps the stream tests take.
/// </summary>
public abstract class GatewayFixture : IAsyncLifetime
{
    private readonly TestIdentity _identity = new();
    private TestDatabase _database = null!;
    private Guid _user;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _user = await TestIdentity.CreateUserAsync(_database.Source);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    /// <summary>Starts the gateway running <paramref name="apps"/>; <paramref name="extra"/> settings win over the defaults.</summary>
    protected async Task<(FunctionAppProcess Gateway, HttpClient Client)> StartAsync(string mode, string apps, string idle = "00:02:00",
        IEnumerable<KeyValuePair<string, string>>? extra = null, int? portOffset = null)
    {
        var port = FunctionAppProcess.FreePort();
        var settings = new Dictionary<string, string>(_identity.Settings)
        {
            ["PostgresConnection"] = _database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
            ["VectorStoreConnection"] = TestStack.VectorStore,
            ["IngestStream"] = $"test:ingest:{Guid.NewGuid():N}",
            ["Gateway__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway__Mode"] = mode,
            ["Gateway__Only"] = apps,
            ["Gateway__IdleTimeout"] = idle,
            ["Gateway__Binaries"] = RepoPaths.Configuration,
            ["Gateway__PortOffset"] = (portOffset ?? FunctionAppProcess.FreePortOffset()).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway__Root"] = RepoPaths.Root,
        };
        foreach (var (key, value) in TestStack.GenerousRateLimits().Concat(extra ?? []))
        {
            settings[key] = value;
        }
        var gateway = await FunctionAppProcess.StartAsync("gateway", RepoPaths.ToolAssembly("Gateway", "fathom-gateway"), settings, port);
        var client = new HttpClient { BaseAddress = gateway.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _identity.Token(_user));
        return (gateway, client);
    }

    /// <summary>Creates a collection named <paramref name="collectionName"/> and uploads one text file to it through the gateway.</summary>
    protected static async Task<(Guid Collection, Guid Document)> UploadAsync(HttpClient client, string collectionName, string fileName, string text)
    {
        using var created = await client.PostAsJsonAsync("/api/collections", new { name = collectionName });
        var collection = (await created.ReadAsync<Created>(HttpStatusCode.Created)).Id;
        using var form = new MultipartFormDataContent { { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(text)), "files", fileName } };
        using var upload = await client.PostAsync($"/api/collections/{collection}/documents", form);
        return (collection, (await upload.ReadAsync<Uploaded>(HttpStatusCode.Accepted)).Documents[0].Id);
    }

    /// <summary>Until the document is COMPLETE; a FAILED document or the timeout fails the test with the status seen.</summary>
    protected static async Task WaitCompleteAsync(HttpClient client, Guid collection, Guid document, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await client.GetAsync($"/api/collections/{collection}/documents/{document}");
            var state = await response.ReadAsync<DocumentState>(HttpStatusCode.OK);
            if (state.Status == "COMPLETE")
            {
                return;
            }
            Assert.True(state.Status != "FAILED" && DateTime.UtcNow < until, $"The document is {state.Status}, not COMPLETE.");
            await Task.Delay(200);
        }
    }

    private sealed record Created(Guid Id);

    private sealed record Uploaded(IReadOnlyList<Created> Documents);

    private sealed record DocumentState(string Status);
}
