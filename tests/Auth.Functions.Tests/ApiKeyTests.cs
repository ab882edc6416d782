using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fathom.Testing;

namespace Auth.Functions.Tests;

[Collection(PlatformCollection.Name)]
public sealed class ApiKeyTests(PlatformFixture fixture)
{
    private async Task<(Session Session, HttpClient Auth)> SignedInAsync()
    {
        var (email, password, _) = await fixture.SignUpAsync();
        var session = await fixture.LogInAsync(email, password);
        return (session, PlatformFixture.Client(fixture.Auth, session.AccessToken));
    }

    private static async Task<CreatedKey> CreateKeyAsync(HttpClient auth, string name, params string[] scopes)
    {
        using var response = await auth.PostAsJsonAsync("/api/auth/keys", new { name, scopes });
        return await response.ReadAsync<CreatedKey>(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_key_is_shown_once_works_in_other_apps_and_stops_at_once_when_revoked()
    {
        var (_, signedIn) = await SignedInAsync();
        using var auth = signedIn;
        var created = await CreateKeyAsync(auth, "laptop CLI", "read", "write");
        var (id, key) = (created.Id, created.Key);
        Assert.StartsWith("fth_", key, StringComparison.Ordinal);
        Assert.StartsWith(created.Prefix, key, StringComparison.Ordinal);

        using var tasks = PlatformFixture.Client(fixture.Tasks, key);
        using var made = await tasks.PostAsJsonAsync("/api/tasks", new { title = "made with a key" });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        // Read as raw JSON: the point is that the secret is absent from the wire, not merely null.
        var list = await auth.GetFromJsonAsync<JsonElement>("/api/auth/keys");
        Assert.False(Assert.Single(list.GetProperty("items").EnumerateArray()).TryGetProperty("key", out _));
        var row = Assert.Single((await auth.GetFromJsonAsync<KeyList>("/api/auth/keys"))!.Items);
        Assert.Null(row.RevokedAt);
        Assert.NotNull(row.LastUsedAt);

        using var revoke = await auth.DeleteAsync($"/api/auth/keys/{id}");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await tasks.GetAsync("/api/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await fixture.StatusAsync(fixture.Users, "/api/users/me", key));
        var revoked = await auth.GetFromJsonAsync<KeyList>("/api/auth/keys");
        Assert.NotNull(revoked!.Items[0].RevokedAt);
    }

    [Fact]
    public async Task A_read_only_key_can_read_but_not_write()
    {
        var (_, signedIn) = await SignedInAsync();
        using var auth = signedIn;
        var key = (await CreateKeyAsync(auth, "dashboard", "read")).Key;
        using var tasks = PlatformFixture.Client(fixture.Tasks, key);

        using var read = await tasks.GetAsync("/api/tasks");
        using var write = await tasks.PostAsJsonAsync("/api/tasks", new { title = "should not exist" });
        using var users = PlatformFixture.Client(fixture.Users, key);
        using var patch = await users.PatchAsJsonAsync("/api/users/me", new { displayName = "Changed by a read key" });

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
        Assert.Equal(0, (await tasks.GetFromJsonAsync<ListPage<JsonElement>>("/api/tasks"))!.Total);
    }

    [Fact]
    public async Task Keys_cannot_manage_keys_and_nobody_revokes_another_users_key()
    {
        var (_, alice) = await SignedInAsync();
        var (_, bob) = await SignedInAsync();
        using var a = alice;
        using var b = bob;
        var created = await CreateKeyAsync(alice, "writer", "write");
        using var withKey = PlatformFixture.Client(fixture.Auth, created.Key);

        using var mint = await withKey.PostAsJsonAsync("/api/auth/keys", new { name = "more", scopes = new[] { "write" } });
        using var list = await withKey.GetAsync("/api/auth/keys");
        using var stolen = await bob.DeleteAsync($"/api/auth/keys/{created.Id}");

        Assert.Equal(HttpStatusCode.Forbidden, mint.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await fixture.StatusAsync(fixture.Tasks, "/api/tasks", created.Key));
    }

    [Fact]
    public async Task Unknown_scopes_are_refused()
    {
        var (_, signedIn) = await SignedInAsync();
        using var auth = signedIn;
        using var response = await auth.PostAsJsonAsync("/api/auth/keys", new { name = "admin", scopes = new[] { "admin" } });
        Assert.Contains("read, write", (await response.ReadAsync<Problem>(HttpStatusCode.BadRequest)).ErrorsOf("scopes")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_null_scope_is_refused_and_secrets_are_never_cached()
    {
        var (_, signedIn) = await SignedInAsync();
        using var auth = signedIn;
        using var nullScope = await auth.PostAsync("/api/auth/keys", new StringContent("""{"name":"n","scopes":[null]}""", System.Text.Encoding.UTF8, "application/json"));
        using var created = await auth.PostAsJsonAsync("/api/auth/keys", new { name = "cached?", scopes = new[] { "read" } });

        Assert.Equal(HttpStatusCode.BadRequest, nullScope.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore, "a new key's response must say no-store");
    }
}

/// <summary>A new key as <c>POST /api/auth/keys</c> shows it, the only time its secret is shown.</summary>
public sealed record CreatedKey(Guid Id, string Key, string Prefix);

/// <summary>The caller's keys.</summary>
public sealed record KeyList(IReadOnlyList<KeyRow> Items);

/// <summary>A key as the list shows it.</summary>
public sealed record KeyRow(Guid Id, string Name, string Prefix, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
