using System.Net;
using System.Net.Http.Json;
using Fathom.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Auth.Functions.Tests;

[Collection(PlatformCollection.Name)]
public sealed class KeyDiscoveryTests(PlatformFixture fixture)
{
    [Fact]
    public async Task The_jwks_holds_only_public_keys_that_verify_issued_tokens()
    {
        var (email, password, _) = await fixture.SignUpAsync();
        var session = await fixture.LogInAsync(email, password);
        using var anonymous = PlatformFixture.Client(fixture.Auth);

        var json = await anonymous.GetStringAsync("/api/auth/jwks");
        var set = new JsonWebKeySet(json);

        var key = Assert.Single(set.Keys);
        Assert.Equal("EC", key.Kty);
        Assert.Equal("P-256", key.Crv);
        Assert.Equal("ES256", key.Alg);
        Assert.Equal("sig", key.Use);
        Assert.Equal(fixture.Identity.KeyId, key.Kid);
        Assert.False(key.HasPrivateKey);
        Assert.DoesNotContain("\"d\"", json, StringComparison.Ordinal);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(session.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = "fathom",
            ValidAudience = "fathom-api",
            IssuerSigningKeys = set.Keys,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public async Task Introspection_needs_the_host_key_and_tells_live_from_revoked_credentials()
    {
        var (email, password, userId) = await fixture.SignUpAsync();
        var session = await fixture.LogInAsync(email, password);
        using var withoutKey = PlatformFixture.Client(fixture.Auth);
        using var service = PlatformFixture.Client(fixture.Auth);
        service.DefaultRequestHeaders.Add("x-functions-key", PlatformFixture.HostKey);

        using var refused = await withoutKey.PostAsJsonAsync("/api/auth/introspect", new { token = session.AccessToken });
        var live = await Introspect(service, session.AccessToken);
        var garbage = await Introspect(service, "not.a.token");
        using var auth = PlatformFixture.Client(fixture.Auth, session.AccessToken);
        using var created = await auth.PostAsJsonAsync("/api/auth/keys", new { name = "svc", scopes = new[] { "read" } });
        var key = (await created.ReadAsync<CreatedKey>(HttpStatusCode.Created)).Key;
        var keyInfo = await Introspect(service, key);
        using var logout = await auth.PostAsJsonAsync("/api/auth/logout", new { refreshToken = session.RefreshToken });
        var afterLogout = await Introspect(service, session.AccessToken);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.True(live.Active);
        Assert.Equal(userId.ToString(), live.Sub);
        Assert.True(live.Exp > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        // RFC 7662: an inactive token says nothing else about itself.
        Assert.Equal(new Introspection(false, null, null, null, null), garbage);
        Assert.Equal((true, "read", "api_key"), (keyInfo.Active, keyInfo.Scope, keyInfo.TokenType));
        Assert.False(afterLogout.Active);
    }

    private static async Task<Introspection> Introspect(HttpClient client, string token)
    {
        using var response = await client.PostAsJsonAsync("/api/auth/introspect", new { token });
        return await response.ReadAsync<Introspection>();
    }

    /// <summary>An RFC 7662 introspection response (snake_case on the wire).</summary>
    private sealed record Introspection(
        bool Active,
        string? Sub,
        long? Exp,
        string? Scope,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string? TokenType);
}
