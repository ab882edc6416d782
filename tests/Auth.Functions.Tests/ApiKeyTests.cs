using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

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

    private static async Task<JsonElement> CreateKeyAsync(HttpClient auth, string name, params string[] scopes)
    {
        using var response = await auth.PostAsJsonAsync("/api/auth/keys", new { name, scopes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_key_is_shown_once_works_in_other_apps_and_stops_at_once_when_revoked()
    {
        var (_, signedIn) = await SignedInAsync();
        using var auth = signedIn;
        var created = await CreateKeyAsync(auth, "laptop CLI", "read", "write");
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("id").GetGuid();
        Assert.StartsWith("fth_", key, StringComparison.Ordinal);
        Assert.StartsWith(created.GetProperty("prefix").GetString()!, key, StringComparison.Ordinal);

        using var tasks = PlatformFixture.Client(fixture.Tasks, key);
        using var made = await tasks.PostAsJsonAsync("/api/tasks", new { title = "made with a key" });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var list = await auth.GetFromJsonAsync<JsonElement>("/api/auth/keys");
        var row = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.False(row.TryGetProperty("key", out _));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("revokedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, row.GetProperty("lastUsedAt").ValueKind);

        using var revoke = await auth.DeleteAsync($"/api/auth/keys/{id}");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await tasks.GetAsync("/api/tasks");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await fixture.StatusAsync(fixture.Users, "/api/users/me", key));
        var revoked = await auth.GetFromJsonAsync<JsonElement>("/api/auth/keys");
        Assert.NotEqual(JsonValueKind.Null, revoked.GetProperty("items")[0].GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task A_read_only_key_can_read_but_not_write()
    {
        var (_, signedIn) = await SignedInAsync();
        using var auth = signedIn;
        var key = (await CreateKeyAsync(auth, "dashboard", "read")).GetProperty("key").GetString()!;
        using var tasks = PlatformFixture.Client(fixture.Tasks, key);

        using var read = await tasks.GetAsync("/api/tasks");
        using var write = await tasks.PostAsJsonAsync("/api/tasks", new { title = "should not exist" });
        using var users = PlatformFixture.Client(fixture.Users, key);
        using var patch = await users.PatchAsJsonAsync("/api/users/me", new { displayName = "Changed by a read key" });

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
        Assert.Equal(0, (await tasks.GetFromJsonAsync<JsonElement>("/api/tasks")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Keys_cannot_manage_keys_and_nobody_revokes_another_users_key()
    {
        var (_, alice) = await SignedInAsync();
        var (_, bob) = await SignedInAsync();
        using var a = alice;
        using var b = bob;
        var created = await CreateKeyAsync(alice, "writer", "write");
        using var withKey = PlatformFixture.Client(fixture.Auth, created.GetProperty("key").GetString());

        using var mint = await withKey.PostAsJsonAsync("/api/auth/keys", new { name = "more", scopes = new[] { "write" } });
        using var list = await withKey.GetAsync("/api/auth/keys");
        using var stolen = await bob.DeleteAsync($"/api/auth/keys/{created.GetProperty("id").GetGuid()}");

        Assert.Equal(HttpStatusCode.Forbidden, mint.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await fixture.StatusAsync(fixture.Tasks, "/api/tasks", created.GetProperty("key").GetString()!));
    }

    [Fact]
    public async Task Unknown_scopes_are_refused()
    {
        var (_, signedIn) = await SignedInAsync();
        using var auth = signedIn;
        using var response = await auth.PostAsJsonAsync("/api/auth/keys", new { name = "admin", scopes = new[] { "admin" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("read, write", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("scopes")[0].GetString());
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
