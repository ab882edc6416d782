using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Functions;
using Fathom.Http;

namespace Auth.Functions;

public sealed record SignupRequest(string? Email, string? Password, string? DisplayName) : IValidatable
{
    public const int MinPasswordLength = 10;

    /// <summary>Long enough for any passphrase; the bound keeps one request from costing more hashing than others.</summary>
    public const int MaxPasswordLength = 256;

    public void Validate(ValidationErrors errors)
    {
        if (!EmailAddress.IsPlausible(Email))
        {
            errors.Add("email", "'email' must be an email address like name@example.com.");
        }
        if ((Password?.Length ?? 0) < MinPasswordLength || Password!.Length > MaxPasswordLength)
        {
            errors.Add("password", $"'password' must be {MinPasswordLength} to {MaxPasswordLength} characters long.");
        }
        errors.Text("displayName", DisplayName, 1, 100);
    }
}

public sealed record SignupResponse(Guid UserId, string Email, string DisplayName);

public sealed record LoginRequest(string? Email, string? Password) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Text("email", Email, 1, 320);
        if (string.IsNullOrEmpty(Password))
        {
            errors.Add("password", "'password' is required.");
        }
        else if (Password.Length > SignupRequest.MaxPasswordLength)
        {
            errors.Add("password", $"'password' must be at most {SignupRequest.MaxPasswordLength} characters long.");
        }
    }
}

public sealed record TokenResponse(string AccessToken, string RefreshToken, string TokenType, long ExpiresIn);

public sealed record RefreshRequest(string? RefreshToken) : IValidatable
{
    public void Validate(ValidationErrors errors) => errors.Text("refreshToken", RefreshToken, 1, 200);
}

/// <summary>The refresh token is optional: without it only the access token is revoked.</summary>
public sealed record LogoutRequest(string? RefreshToken);

public static class ApiKeyScopes
{
    public const string Read = "read";
    public const string Write = "write";
    public static readonly string[] All = [Read, Write];
}

public sealed record CreateApiKeyRequest(string? Name, string[]? Scopes) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Text("name", Name, 1, 100);
        if (Scopes is not { Length: > 0 })
        {
            errors.Add("scopes", "'scopes' must name at least one of: read, write.");
            return;
        }
        foreach (var scope in Scopes)
        {
            if (scope is null)
            {
                errors.Add("scopes", "'scopes' must name read or write; null is neither.");
            }
            errors.OneOf("scopes", scope, ApiKeyScopes.All);
        }
    }
}

public sealed record ApiKeyItem(Guid Id, string Name, string Prefix, string[] Scopes, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

public sealed record ApiKeyList(IReadOnlyList<ApiKeyItem> Items);

/// <summary>The only answer that ever holds the key itself.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Prefix, string[] Scopes, DateTimeOffset CreatedAt, string Key);

/// <summary>RFC 7517 key set; only public parts of ES256 keys.</summary>
public sealed record JsonWebKeySet(IReadOnlyList<PublicJsonWebKey> Keys);

public sealed record PublicJsonWebKey(string Kty, string Crv, string X, string Y, string Kid, string Alg, string Use);

public sealed record IntrospectRequest(string? Token) : IValidatable
{
    public void Validate(ValidationErrors errors) => errors.Text("token", Token, 1, 8192);
}

/// <summary>RFC 7662 introspection answer; an inactive token gets <c>{ "active": false }</c> and nothing else.</summary>
public sealed record IntrospectionResponse(
    bool Active,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sub = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Exp = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Iat = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Iss = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Aud = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Jti = null,
    [property: JsonPropertyName("token_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TokenType = null,
    [property: JsonPropertyName("api_key_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? ApiKeyId = null);

public static class EmailAddress
{
    /// <summary>One spelling per address: the unique index and every lookup use this form.</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>A cheap shape check (local@domain.tld, no spaces); only a sent mail proves an address.</summary>
    public static bool IsPlausible(string? email)
    {
        var value = email?.Trim() ?? "";
        var at = value.IndexOf('@', StringComparison.Ordinal);
        return value.Length is >= 3 and <= 254
            && at > 0
            && at == value.LastIndexOf('@')
            && value.IndexOf('.', at) > at + 1
            && !value.EndsWith('.')
            && !value.Any(char.IsWhiteSpace);
    }
}

[JsonSerializable(typeof(SignupRequest))]
[JsonSerializable(typeof(SignupResponse))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(LogoutRequest))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(ApiKeyList))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(JsonWebKeySet))]
[JsonSerializable(typeof(IntrospectRequest))]
[JsonSerializable(typeof(IntrospectionResponse))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class AuthJson : JsonSerializerContext;
