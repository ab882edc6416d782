using System.Net;
using System.Net.Http.Json;

namespace Auth.Functions.Tests;

[Collection(PlatformCollection.Name)]
public sealed class SessionTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Refresh_spends_the_old_token_and_returns_a_working_new_pair()
    {
        var (email, password, _) = await fixture.SignUpAsync();
        var first = await fixture.LogInAsync(email, password);

        var (status, second) = await fixture.RefreshAsync(first.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(first.RefreshToken, second!.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(HttpStatusCode.OK, await fixture.StatusAsync(fixture.Users, "/api/users/me", second.AccessToken));
        var (thirdStatus, _) = await fixture.RefreshAsync(second.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, thirdStatus);
    }

    [Fact]
    public async Task Reusing_a_spent_refresh_token_ends_the_whole_family_including_its_newest_tokens()
    {
        var (email, password, _) = await fixture.SignUpAsync();
        var original = await fixture.LogInAsync(email, password);
        var otherDevice = await fixture.LogInAsync(email, password);
        var (_, rotated) = await fixture.RefreshAsync(original.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, await fixture.StatusAsync(fixture.Users, "/api/users/me", rotated!.AccessToken));

        var (replay, _) = await fixture.RefreshAsync(original.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, replay);
        var (newest, _) = await fixture.RefreshAsync(rotated.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, newest);
        Assert.Equal(HttpStatusCode.Unauthorized, await fixture.StatusAsync(fixture.Users, "/api/users/me", rotated.AccessToken));
        // Another sign-in is another family, untouched.
        var (other, _) = await fixture.RefreshAsync(otherDevice.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, other);
    }

    [Fact]
    public async Task An_unknown_refresh_token_is_unauthorized()
    {
        var (status, _) = await fixture.RefreshAsync("made-up-refresh-token");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task Logout_stops_the_access_token_at_once_in_every_app_and_spends_the_refresh_token()
    {
        var (email, password, _) = await fixture.SignUpAsync();
        var session = await fixture.LogInAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, await fixture.StatusAsync(fixture.Users, "/api/users/me", session.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await fixture.StatusAsync(fixture.Tasks, "/api/tasks", session.AccessToken));

        using var auth = PlatformFixture.Client(fixture.Auth, session.AccessToken);
        using var logout = await auth.PostAsJsonAsync("/api/auth/logout", new { refreshToken = session.RefreshToken });

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await fixture.StatusAsync(fixture.Users, "/api/users/me", session.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await fixture.StatusAsync(fixture.Tasks, "/api/tasks", session.AccessToken));
        var (refresh, _) = await fixture.RefreshAsync(session.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh);
    }

    [Fact]
    public async Task Logout_needs_a_signed_in_caller()
    {
        using var anonymous = PlatformFixture.Client(fixture.Auth);
        using var response = await anonymous.PostAsJsonAsync("/api/auth/logout", new { refreshToken = "x" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Refresh_tokens_long_expired_are_purged_and_live_ones_keep_working()
    {
        var (email, password, stale) = await fixture.SignUpAsync();
        var old = await fixture.LogInAsync(email, password);
        var (otherEmail, otherPassword, _) = await fixture.SignUpAsync();
        var live = await fixture.LogInAsync(otherEmail, otherPassword);
        await using (var age = fixture.Database.Source.CreateCommand("UPDATE refresh_tokens SET expires_at = now() - interval '2 days' WHERE user_id = $1"))
        {
            age.Parameters.Add(new() { Value = stale });
            Assert.Equal(1, await age.ExecuteNonQueryAsync());
        }

        // The purge timer (every second in this fixture) deletes the aged row.
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await using var count = fixture.Database.Source.CreateCommand("SELECT count(*) FROM refresh_tokens WHERE user_id = $1");
            count.Parameters.Add(new() { Value = stale });
            if ((long)(await count.ExecuteScalarAsync())! == 0)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < until, "the expired refresh token was not purged");
            await Task.Delay(200);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.RefreshAsync(old.RefreshToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await fixture.RefreshAsync(live.RefreshToken)).Status);
    }
}
