using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fathom.Testing;

namespace Users.Functions.Tests;

public sealed class ProfileTests(UsersAppFixture fixture) : IClassFixture<UsersAppFixture>
{
    [Fact]
    public async Task My_profile_shows_my_email_but_others_see_no_email()
    {
        var alice = await TestIdentity.CreateUserAsync(fixture.Database.Source, $"alice{Guid.NewGuid():N}@example.test");
        using var asAlice = fixture.ClientFor(fixture.ReplicaA, alice);
        using var asBob = fixture.ClientFor(fixture.ReplicaA, fixture.Bob);

        var me = await asAlice.GetFromJsonAsync<JsonElement>("/api/users/me");
        var seenByBob = await asBob.GetStringAsync($"/api/users/{alice}");

        Assert.Equal(alice, me.GetProperty("id").GetGuid());
        Assert.StartsWith("alice", me.GetProperty("email").GetString(), StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(seenByBob);
        Assert.Equal(alice, doc.RootElement.GetProperty("id").GetGuid());
        Assert.Equal("Test user", doc.RootElement.GetProperty("displayName").GetString());
        Assert.False(doc.RootElement.TryGetProperty("email", out _));
        Assert.DoesNotContain("@example.test", seenByBob, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_user_is_not_found()
    {
        using var asBob = fixture.ClientFor(fixture.ReplicaA, fixture.Bob);
        using var response = await asBob.GetAsync($"/api/users/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Reads_come_from_the_cache_and_an_update_on_one_replica_is_seen_on_the_other()
    {
        var user = await TestIdentity.CreateUserAsync(fixture.Database.Source);
        using var onA = fixture.ClientFor(fixture.ReplicaA, user);
        using var onB = fixture.ClientFor(fixture.ReplicaB, user);
        using var bobOnB = fixture.ClientFor(fixture.ReplicaB, fixture.Bob);
        Assert.Equal("Test user", (await onA.GetFromJsonAsync<JsonElement>("/api/users/me")).GetProperty("displayName").GetString());

        // A change made without the app is not seen while the cached copy lives: reads are served from Redis.
        await fixture.SetDisplayNameBehindTheAppsBackAsync(user, "Changed underneath");
        Assert.Equal("Test user", (await onB.GetFromJsonAsync<JsonElement>("/api/users/me")).GetProperty("displayName").GetString());

        using var patch = await onA.PatchAsJsonAsync("/api/users/me", new { displayName = "Grace", bio = "Compilers." });

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal("Grace", (await patch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("displayName").GetString());
        var mine = await onB.GetFromJsonAsync<JsonElement>("/api/users/me");
        Assert.Equal("Grace", mine.GetProperty("displayName").GetString());
        Assert.Equal("Compilers.", mine.GetProperty("bio").GetString());
        var theirs = await bobOnB.GetFromJsonAsync<JsonElement>($"/api/users/{user}");
        Assert.Equal("Grace", theirs.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Only_the_fields_sent_change_and_bad_values_are_refused()
    {
        var user = await TestIdentity.CreateUserAsync(fixture.Database.Source);
        using var client = fixture.ClientFor(fixture.ReplicaA, user);
        using var bio = await client.PatchAsJsonAsync("/api/users/me", new { bio = "Only the bio." });
        using var empty = await client.PatchAsJsonAsync("/api/users/me", new { displayName = "  " });
        using var tooLong = await client.PatchAsJsonAsync("/api/users/me", new { bio = new string('x', 2001) });

        var me = await client.GetFromJsonAsync<JsonElement>("/api/users/me");
        Assert.Equal(HttpStatusCode.OK, bio.StatusCode);
        Assert.Equal("Test user", me.GetProperty("displayName").GetString());
        Assert.Equal("Only the bio.", me.GetProperty("bio").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("bio", out _));
    }
}
