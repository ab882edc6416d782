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

        var me = (await asAlice.GetFromJsonAsync<Profile>("/api/users/me"))!;
        var seenByBob = await asBob.GetStringAsync($"/api/users/{alice}");

        Assert.Equal(alice, me.Id);
        Assert.StartsWith("alice", me.Email, StringComparison.Ordinal);
        // Read as raw JSON: the point is that the field is absent from the wire, not merely null.
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
        Assert.Equal("Test user", (await onA.GetFromJsonAsync<Profile>("/api/users/me"))!.DisplayName);

        // A change made without the app is not seen while the cached copy lives: reads are served from Redis.
        await fixture.SetDisplayNameBehindTheAppsBackAsync(user, "Changed underneath");
        Assert.Equal("Test user", (await onB.GetFromJsonAsync<Profile>("/api/users/me"))!.DisplayName);

        using var patch = await onA.PatchAsJsonAsync("/api/users/me", new { displayName = "Grace", bio = "Compilers." });

        Assert.Equal("Grace", (await patch.ReadAsync<Profile>()).DisplayName);
        var mine = (await onB.GetFromJsonAsync<Profile>("/api/users/me"))!;
        Assert.Equal(("Grace", "Compilers."), (mine.DisplayName, mine.Bio));
        var theirs = await bobOnB.GetFromJsonAsync<Profile>($"/api/users/{user}");
        Assert.Equal("Grace", theirs!.DisplayName);
    }

    [Fact]
    public async Task Only_the_fields_sent_change_and_bad_values_are_refused()
    {
        var user = await TestIdentity.CreateUserAsync(fixture.Database.Source);
        using var client = fixture.ClientFor(fixture.ReplicaA, user);
        using var bio = await client.PatchAsJsonAsync("/api/users/me", new { bio = "Only the bio." });
        using var empty = await client.PatchAsJsonAsync("/api/users/me", new { displayName = "  " });
        using var tooLong = await client.PatchAsJsonAsync("/api/users/me", new { bio = new string('x', 2001) });

        var me = (await client.GetFromJsonAsync<Profile>("/api/users/me"))!;
        Assert.Equal(HttpStatusCode.OK, bio.StatusCode);
        Assert.Equal(("Test user", "Only the bio."), (me.DisplayName, me.Bio));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.NotEmpty((await tooLong.ReadAsync<Problem>(HttpStatusCode.BadRequest)).ErrorsOf("bio"));
    }
}

/// <summary>A profile as the API returns it (<see cref="Email"/> only on one's own).</summary>
public sealed record Profile(Guid Id, string? Email, string DisplayName, string? Bio);
