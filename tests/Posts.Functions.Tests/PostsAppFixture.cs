using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fathom.Testing;

namespace Posts.Functions.Tests;

/// <summary>The Posts app on a fresh database, with two users.</summary>
public sealed class PostsAppFixture : IAsyncLifetime
{
    public TestIdentity Identity { get; } = new();

    public TestDatabase Database { get; private set; } = null!;

    public FunctionAppProcess App { get; private set; } = null!;

    public Guid Alice { get; private set; }

    public Guid Bob { get; private set; }

    public string IngestStream { get; } = $"test:ingest:{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Alice = await TestIdentity.CreateUserAsync(Database.Source);
        Bob = await TestIdentity.CreateUserAsync(Database.Source);
        App = await FunctionAppProcess.StartAsync("Posts", new Dictionary<string, string>(Identity.Settings)
        {
            ["PostgresConnection"] = Database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
            ["RateLimiting__KeyPrefix"] = $"fathom:test:{Guid.NewGuid():N}",
            ["IngestStream"] = IngestStream,
        });
    }

    public HttpClient ClientFor(Guid user)
    {
        var client = new HttpClient { BaseAddress = App.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Identity.Token(user));
        return client;
    }

    public static async Task<JsonElement> CreateAsync(HttpClient client, string title, string body, bool published)
    {
        using var response = await client.PostAsJsonAsync("/api/posts", new { title, body, published });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A made-up word no other test uses, so a search isolates one test's posts.</summary>
    public static string UniqueWord() => new([.. Guid.NewGuid().ToString("N").Where(char.IsAsciiDigit).Select(c => (char)('k' + c - '0')).Take(9)]);

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}
