using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Fathom.Testing;

/// <summary>An ES256 key pair made for one test run, handed to the apps as their Auth settings.</summary>
public sealed class TestIdentity
{
    public const string Issuer = "fathom";
    public const string Audience = "fathom-api";

    private readonly ECDsaSecurityKey _key;

    public TestIdentity(string keyId = "test-key")
    {
        KeyId = keyId;
        Ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _key = new ECDsaSecurityKey(Ecdsa) { KeyId = keyId };
    }

    public string KeyId { get; }

    public ECDsa Ecdsa { get; }

    public string PrivateKeyPem => Ecdsa.ExportPkcs8PrivateKeyPem();

    public string PublicKeyPem => Ecdsa.ExportSubjectPublicKeyInfoPem();

    /// <summary>Settings that make an app sign (Auth) and validate (every app) with this key.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Auth__Issuer"] = Issuer,
        ["Auth__Audience"] = Audience,
        ["Auth__SigningKeys__0__Id"] = KeyId,
        ["Auth__SigningKeys__0__PrivateKeyPem"] = PrivateKeyPem,
        ["Auth__ValidationKeys__0__Id"] = KeyId,
        ["Auth__ValidationKeys__0__PublicKeyPem"] = PublicKeyPem,
    };

    /// <summary>An access token as Auth would issue it; the parameters let a test spoil one part.</summary>
    public string Token(Guid userId, TimeSpan? lifetime = null, string audience = Audience, string issuer = Issuer, ECDsaSecurityKey? key = null, DateTime? notBefore = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (lifetime ?? TimeSpan.FromMinutes(15));
        var handler = new JsonWebTokenHandler();
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", userId.ToString()), new Claim("jti", Guid.NewGuid().ToString("N"))]),
            IssuedAt = notBefore ?? (expires < now ? expires.AddMinutes(-1) : now),
            NotBefore = notBefore ?? (expires < now ? expires.AddMinutes(-1) : now),
            Expires = expires,
            SigningCredentials = new SigningCredentials(key ?? _key, SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>Creates a user row directly (tests of apps other than Auth need an owner, not a signup).</summary>
    public static async Task<Guid> CreateUserAsync(NpgsqlDataSource database, string? email = null)
    {
        var id = Guid.NewGuid();
        await using var command = database.CreateCommand("INSERT INTO users (id, email, password_hash, display_name) VALUES ($1, $2, 'not-a-login', $3)");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = email ?? $"{id:N}@example.test" });
        command.Parameters.Add(new() { Value = "Test user" });
        await command.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary>An API key row as the Auth app stores it (only its hash), for tests of apps other than Auth.</summary>
    public static async Task<string> CreateApiKeyAsync(NpgsqlDataSource database, Guid userId, params string[] scopes)
        => (await CreateApiKeyWithIdAsync(database, userId, scopes)).Key;

    /// <summary>As <see cref="CreateApiKeyAsync"/>, with the key's row id (what <c>DELETE /api/auth/keys/{id}</c> takes).</summary>
    public static async Task<(Guid Id, string Key)> CreateApiKeyWithIdAsync(NpgsqlDataSource database, Guid userId, params string[] scopes)
    {
        var (key, prefix, hash) = Fathom.Identity.ApiKeyFormat.Create();
        var id = Guid.NewGuid();
        await using var command = database.CreateCommand("INSERT INTO api_keys (id, user_id, name, prefix, secret_hash, scopes) VALUES ($1, $2, 'test key', $3, $4, $5)");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = userId });
        command.Parameters.Add(new() { Value = prefix });
        command.Parameters.Add(new() { Value = hash });
        command.Parameters.Add(new() { Value = scopes });
        await command.ExecuteNonQueryAsync();
        return (id, key);
    }

    /// <summary>Revokes an API key as <c>DELETE /api/auth/keys/{id}</c> does (every app refuses it on the next call).</summary>
    public static async Task RevokeApiKeyAsync(NpgsqlDataSource database, Guid keyId)
    {
        await using var command = database.CreateCommand("UPDATE api_keys SET revoked_at = now() WHERE id = $1");
        command.Parameters.Add(new() { Value = keyId });
        await command.ExecuteNonQueryAsync();
    }
}
