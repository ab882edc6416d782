using System.Net;
using System.Net.Http.Json;
using Fathom.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Auth.Functions.Tests;

[Collection(PlatformCollection.Name)]
public sealed class SignInTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Signing_up_and_in_gives_an_access_token_the_other_apps_accept()
    {
        var (email, password, userId) = await fixture.SignUpAsync();

        var session = await fixture.LogInAsync(email, password);

        Assert.Equal("Bearer", session.TokenType);
        Assert.Equal(900, session.ExpiresIn);
        using var users = PlatformFixture.Client(fixture.Users, session.AccessToken);
        var me = await users.GetFromJsonAsync<Me>("/api/users/me");
        Assert.Equal(new Me(userId, email), me);
        Assert.Equal(HttpStatusCode.OK, await fixture.StatusAsync(fixture.Tasks, "/api/tasks", session.AccessToken));
    }

    [Fact]
    public async Task Access_tokens_carry_the_agreed_claims_and_the_signing_key_id()
    {
        var (email, password, userId) = await fixture.SignUpAsync();
        var session = await fixture.LogInAsync(email, password);

        var token = new JsonWebToken(session.AccessToken);

        Assert.Equal("ES256", token.Alg);
        Assert.Equal(fixture.Identity.KeyId, token.Kid);
        Assert.Equal(userId.ToString(), token.Subject);
        Assert.Equal("fathom", token.Issuer);
        Assert.Equal(["fathom-api"], token.Audiences);
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.Equal(TimeSpan.FromMinutes(15), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task Email_is_matched_whatever_its_case_and_a_taken_one_is_a_conflict()
    {
        var local = $"Mixed{Guid.NewGuid():N}";
        var (_, password, _) = await fixture.SignUpAsync($"  {local}@Example.TEST ");

        var session = await fixture.LogInAsync($"{local.ToLowerInvariant()}@example.test", password);
        using var client = PlatformFixture.Client(fixture.Auth);
        using var again = await client.PostAsJsonAsync("/api/auth/signup", new { email = $"{local.ToUpperInvariant()}@EXAMPLE.test", password = "another long password", displayName = "Eve" });

        Assert.NotEmpty(session.AccessToken);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Signup_refuses_short_passwords_and_bad_emails_naming_each_field()
    {
        using var client = PlatformFixture.Client(fixture.Auth);
        using var response = await client.PostAsJsonAsync("/api/auth/signup", new { email = "not-an-email", password = "123456789", displayName = "" });

        var problem = await response.ReadAsync<Problem>(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsOf("email"));
        Assert.Contains("10", problem.ErrorsOf("password")[0], StringComparison.Ordinal);
        Assert.NotEmpty(problem.ErrorsOf("displayName"));
    }

    [Fact]
    public async Task Passwords_are_stored_as_argon2id_with_at_least_the_minimum_cost()
    {
        var (_, password, userId) = await fixture.SignUpAsync();

        await using var command = fixture.Database.Source.CreateCommand("SELECT password_hash FROM users WHERE id = $1");
        command.Parameters.Add(new() { Value = userId });
        var stored = (string)(await command.ExecuteScalarAsync())!;

        Assert.DoesNotContain(password, stored, StringComparison.Ordinal);
        var parts = stored.Split('$');
        Assert.Equal("argon2id", parts[1]);
        Assert.Equal("v=19", parts[2]);
        var cost = parts[3].Split(',').ToDictionary(p => p.Split('=')[0], p => int.Parse(p.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(cost["m"] >= 19 * 1024);
        Assert.True(cost["t"] >= 2);
        Assert.Equal(1, cost["p"]);
        Assert.Equal(16, Convert.FromBase64String(parts[4] + "==").Length);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_answer()
    {
        var (email, _, _) = await fixture.SignUpAsync();
        using var client = PlatformFixture.Client(fixture.Auth);

        using var wrong = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "not the password" });
        using var unknown = await client.PostAsJsonAsync("/api/auth/login", new { email = $"nobody{Guid.NewGuid():N}@example.test", password = "not the password" });

        var a = await wrong.ReadAsync<Problem>(HttpStatusCode.Unauthorized);
        var b = await unknown.ReadAsync<Problem>(HttpStatusCode.Unauthorized);
        Assert.Equal((a.Title, a.Detail), (b.Title, b.Detail));
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_with_retry_after_even_for_the_right_password()
    {
        var (email, password, _) = await fixture.SignUpAsync();
        using var client = PlatformFixture.Client(fixture.Auth);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var miss = await client.PostAsJsonAsync("/api/auth/login", new { email, password = $"wrong password {i}" });
            statuses.Add(miss.StatusCode);
        }

        using var fifth = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "wrong password 5" });
        using var rightButLocked = await client.PostAsJsonAsync("/api/auth/login", new { email, password });

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightButLocked.StatusCode);
        var retryAfter = rightButLocked.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter!.Value.TotalSeconds, 1, 2);
        Assert.Equal("application/problem+json", rightButLocked.Content.Headers.ContentType?.MediaType);

        // Once the lock has passed the right password works, and the count starts again from zero.
        await Task.Delay(retryAfter.Value + TimeSpan.FromMilliseconds(300));
        using var unlocked = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        using var nextMiss = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "wrong again" });
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, nextMiss.StatusCode);
    }

    [Fact]
    public async Task Each_failure_past_the_limit_locks_for_longer()
    {
        var (email, _, _) = await fixture.SignUpAsync();
        using var client = PlatformFixture.Client(fixture.Auth);
        for (var i = 0; i < 4; i++)
        {
            using var _ = await client.PostAsJsonAsync("/api/auth/login", new { email, password = $"wrong password {i}" });
        }
        using var first = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "wrong password 5" });
        await Task.Delay(first.Headers.RetryAfter!.Delta!.Value + TimeSpan.FromMilliseconds(300));

        using var second = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "wrong password 6" });

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.True(second.Headers.RetryAfter!.Delta > first.Headers.RetryAfter!.Delta, "the second lock must be longer than the first");
    }
}

/// <summary>The signed-in user as the Users app shows them to themselves.</summary>
public sealed record Me(Guid Id, string Email);
