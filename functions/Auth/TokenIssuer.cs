using System.Security.Cryptography;
using System.Text;
using Fathom.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Auth.Functions;

/// <summary>An access token and what the server keeps about it (its id and end, for revocation).</summary>
public sealed record IssuedAccessToken(string Token, string Id, DateTimeOffset ExpiresAt);

/// <summary>A refresh token as handed to the client, and the only thing stored about its secret.</summary>
public sealed record IssuedRefreshToken(string Token, byte[] Hash, DateTimeOffset ExpiresAt);

/// <summary>Mints ES256 access tokens with the first signing key, and random refresh tokens.</summary>
public sealed class TokenIssuer
{
    private readonly AuthOptions _options;
    private readonly SigningCredentials _credentials;
    private readonly TimeProvider _time;

    // Times are set explicitly below; the handler's defaults would also add an nbf claim.
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TokenIssuer(IOptions<AuthOptions> options, SigningKeys keys, TimeProvider time)
    {
        if (keys.Signing.Count == 0)
        {
            throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions),
                ["Auth signs tokens: set Auth__SigningKeys__0__Id and Auth__SigningKeys__0__PrivateKeyPem."]);
        }
        _options = options.Value;
        _credentials = new SigningCredentials(keys.Signing[0], SecurityAlgorithms.EcdsaSha256);
        _time = time;
    }

    public TimeSpan AccessTokenLifetime => _options.AccessTokenLifetime;

    public IssuedAccessToken CreateAccessToken(Guid userId)
    {
        var now = _time.GetUtcNow();
        // Whole seconds, as the token carries them, so the stored end matches the token's exp.
        now = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var expires = now + _options.AccessTokenLifetime;
        var id = Guid.NewGuid().ToString("N");
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [CallerClaims.Subject] = userId.ToString(),
                [CallerClaims.TokenId] = id,
            },
            SigningCredentials = _credentials,
        });
        return new IssuedAccessToken(token, id, expires);
    }

    public IssuedRefreshToken CreateRefreshToken()
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        return new IssuedRefreshToken(token, HashRefreshToken(token), _time.GetUtcNow() + _options.RefreshTokenLifetime);
    }

    public static byte[] HashRefreshToken(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
