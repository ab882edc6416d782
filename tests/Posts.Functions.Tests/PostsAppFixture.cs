using System.Net.Http.Json;
using Fathom.Testing;

namespace Posts.Functions.Tests;

/// <summary>The Posts app on a fresh database, with two users.</summary>
public sealed class PostsAppFixture : AppFixture
{
    public FunctionAppProcess App { get; private set; } = null!;

    public string IngestStream { get; } = $"test:ingest:{Guid.NewGuid():N}";

    protected override IEnumerable<FunctionAppProcess> Apps => [App];

    protected override async Task StartAppsAsync()
    {
        var settings = BaseSettings();
        settings["IngestStream"] = IngestStream;
        App = await FunctionAppProcess.StartAsync("Posts", settings);
    }

    public HttpClient ClientFor(Guid user) => ClientFor(App, user);

    public static async Task<Post> CreateAsync(HttpClient client, string title, string body, bool published)
    {
        using var response = await client.PostAsJsonAsync("/api/posts", new { title, body, published });
        return await response.ReadAsync<Post>(System.Net.HttpStatusCode.Created);
    }

    /// <summary>A made-up word no other test uses, so a search isolates one test's posts.</summary>
    public static string UniqueWord() => new([.. Guid.NewGuid().ToString("N").Where(char.IsAsciiDigit).Select(c => (char)('k' + c - '0')).Take(9)]);
}

/// <summary>A post as the API returns it.</summary>
public sealed record Post(Guid Id, Guid AuthorId, string Title, string Body, bool Published, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>What <c>POST /api/posts/{id}/index</c> answers.</summary>
public sealed record IndexedPost(Guid DocumentId, string Status, bool Duplicate);
