using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fathom.Testing;

namespace Fathom.Gateway.Tests;

/// <summary>The local gateway: one address for every app, and (OnDemand) apps that sleep until needed.</summary>
public sealed class GatewayTests : IAsyncLifetime
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

    private async Task<(FunctionAppProcess Gateway, HttpClient Client)> StartAsync(string mode, string apps, string idle = "00:02:00")
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
            ["Gateway__PortOffset"] = (20000 + Random.Shared.Next(0, 20000)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway__Root"] = RepoPaths.Root,
        };
        foreach (var (key, value) in TestStack.GenerousRateLimits())
        {
            settings[key] = value;
        }
        var gateway = await FunctionAppProcess.StartAsync("gateway", RepoPaths.ToolAssembly("Gateway", "fathom-gateway"), settings, port);
        var client = new HttpClient { BaseAddress = gateway.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _identity.Token(_user));
        return (gateway, client);
    }

    private static async Task<JsonElement> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/health");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Timed out waiting for: {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Eager_mode_serves_api_and_ui_from_one_address_and_reports_health()
    {
        var (gateway, client) = await StartAsync("Eager", "Tasks,Web");
        await using (gateway)
        using (client)
        {
            await Eventually(async () => (await HealthAsync(client)).GetProperty("apps").GetProperty("Tasks").GetString() == "ready", TimeSpan.FromSeconds(60), "Tasks ready");

            using var health = await client.GetAsync("/api/health");
            using var created = await client.PostAsJsonAsync("/api/tasks", new { title = "Through the gateway" });
            using var page = await client.GetAsync("/");

            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Functions (Tasks.Functions", gateway.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Mcp_clients_find_the_resource_metadata_through_the_gateway_and_other_well_known_paths_are_not_the_ui()
    {
        var (gateway, client) = await StartAsync("Eager", "Knowledge,Web");
        await using (gateway)
        using (client)
        {
            await Eventually(async () => (await HealthAsync(client)).GetProperty("apps") is var apps
                && apps.GetProperty("Knowledge").GetString() == "ready" && apps.GetProperty("Web").GetString() == "ready", TimeSpan.FromSeconds(60), "Knowledge and Web ready");
            using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };
            var address = client.BaseAddress!.GetLeftPart(UriPartial.Authority);

            using var refused = await anonymous.PostAsJsonAsync("/api/mcp", new { jsonrpc = "2.0", id = 1, method = "tools/list" });
            var metadata = await anonymous.GetFromJsonAsync<JsonElement>("/.well-known/oauth-protected-resource/api/mcp");
            using var authorizationServer = await anonymous.GetAsync("/.well-known/oauth-authorization-server");
            using var page = await anonymous.GetAsync("/tasks");

            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            // The links point back through the gateway (X-Forwarded-Host), not at the app's own port.
            Assert.Equal($"Bearer resource_metadata=\"{address}/.well-known/oauth-protected-resource/api/mcp\"", refused.Headers.WwwAuthenticate.ToString());
            Assert.Equal($"{address}/api/mcp", metadata.GetProperty("resource").GetString());
            // The default issuer "fathom" is no URL, so the server that issues the tokens is named by its address.
            Assert.Equal(address, metadata.GetProperty("authorization_servers")[0].GetString());
            Assert.Equal(HttpStatusCode.NotFound, authorizationServer.StatusCode);
            Assert.Equal("application/problem+json", authorizationServer.Content.Headers.ContentType?.MediaType);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task On_demand_an_http_app_starts_on_its_first_request_and_stops_when_idle()
    {
        var (gateway, client) = await StartAsync("OnDemand", "Tasks", idle: "00:00:02");
        await using (gateway)
        using (client)
        {
            Assert.Equal("idle", (await HealthAsync(client)).GetProperty("apps").GetProperty("Tasks").GetString());

            var timer = Stopwatch.StartNew();
            using var first = await client.GetAsync("/api/tasks");
            var cold = timer.Elapsed;

            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("ready", (await HealthAsync(client)).GetProperty("apps").GetProperty("Tasks").GetString());
            await Eventually(async () => (await HealthAsync(client)).GetProperty("apps").GetProperty("Tasks").GetString() == "idle", TimeSpan.FromSeconds(20), "Tasks to scale to zero");
            Assert.Contains("Stopping Tasks: idle", gateway.Output, StringComparison.Ordinal);
            Assert.True(cold < TimeSpan.FromSeconds(30), $"cold start took {cold}");
        }
    }

    [Fact]
    public async Task On_demand_the_stream_app_wakes_for_a_backlog_and_sleeps_once_drained()
    {
        var (gateway, client) = await StartAsync("OnDemand", "Knowledge,Ingestion", idle: "00:00:02");
        await using (gateway)
        using (client)
        {
            using var created = await client.PostAsJsonAsync("/api/collections", new { name = "Woken" });
            var collection = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            using var form = new MultipartFormDataContent { { new ByteArrayContent("Sleeping apps wake up when work arrives."u8.ToArray()), "files", "wake.txt" } };
            using var upload = await client.PostAsync($"/api/collections/{collection}/documents", form);
            var document = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents")[0].GetProperty("id").GetGuid();

            await Eventually(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/collections/{collection}/documents/{document}")).GetProperty("status").GetString() == "COMPLETE",
                TimeSpan.FromSeconds(60), "the document to be indexed by a woken Ingestion app");
            Assert.Contains("Ingestion is up", gateway.Output, StringComparison.Ordinal);
            await Eventually(async () => (await HealthAsync(client)).GetProperty("apps").GetProperty("Ingestion").GetString() == "idle", TimeSpan.FromSeconds(20), "Ingestion to scale to zero");
        }
    }
}
