using System.Net;
using System.Text;
using System.Text.Json;
using Fathom.Testing;

namespace Users.Functions.Tests;

/// <summary>Every app validates access tokens itself; Users stands for them all here.</summary>
public sealed class TokenValidationTests(UsersAppFixture fixture) : IClassFixture<UsersAppFixture>
{
    private async Task<HttpStatusCode> MeWith(string token)
    {
        using var client = AppFixture.Client(fixture.ReplicaA, token);
        using var response = await client.GetAsync("/api/users/me");
        return response.StatusCode;
    }

    [Fact]
    public async Task A_good_token_is_accepted()
        => Assert.Equal(HttpStatusCode.OK, await MeWith(fixture.Identity.Token(fixture.Alice)));

    [Fact]
    public async Task An_expired_token_is_refused()
        => Assert.Equal(HttpStatusCode.Unauthorized, await MeWith(fixture.Identity.Token(fixture.Alice, lifetime: TimeSpan.FromMinutes(-2))));

    [Fact]
    public async Task A_token_with_a_flipped_signature_byte_is_refused()
    {
        var parts = fixture.Identity.Token(fixture.Alice).Split('.');
        var signature = FromBase64Url(parts[2]);
        signature[10] ^= 0x01;
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith($"{parts[0]}.{parts[1]}.{ToBase64Url(signature)}"));
    }

    [Fact]
    public async Task A_token_whose_claims_were_edited_is_refused()
    {
        var parts = fixture.Identity.Token(fixture.Alice).Split('.');
        var payload = Encoding.UTF8.GetString(FromBase64Url(parts[1])).Replace(fixture.Alice.ToString(), fixture.Bob.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith($"{parts[0]}.{ToBase64Url(Encoding.UTF8.GetBytes(payload))}.{parts[2]}"));
    }

    [Fact]
    public async Task A_token_for_another_audience_or_from_another_issuer_is_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith(fixture.Identity.Token(fixture.Alice, audience: "some-other-api")));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith(fixture.Identity.Token(fixture.Alice, issuer: "someone-else")));
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused_even_under_the_right_key_id()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith(new TestIdentity(fixture.Identity.KeyId).Token(fixture.Alice)));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith(new TestIdentity("other-key").Token(fixture.Alice)));
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.Serialize(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT", ["kid"] = fixture.Identity.KeyId });
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["sub"] = fixture.Alice.ToString(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iss"] = TestIdentity.Issuer,
            ["aud"] = TestIdentity.Audience,
            ["iat"] = now,
            ["exp"] = now + 600,
        });
        var token = $"{ToBase64Url(Encoding.UTF8.GetBytes(header))}.{ToBase64Url(Encoding.UTF8.GetBytes(payload))}.";

        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith(token));
    }

    [Fact]
    public async Task A_revocation_mark_in_redis_stops_a_token_at_once()
    {
        var token = fixture.Identity.Token(fixture.Alice);
        Assert.Equal(HttpStatusCode.OK, await MeWith(token));
        var jti = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Id;
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(TestStack.Redis);
        await redis.GetDatabase().StringSetAsync($"fathom:revoked:{jti}", "1", TimeSpan.FromMinutes(1));

        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith(token));
    }

    private static string ToBase64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
