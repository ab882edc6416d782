using System.Security.Claims;
using System.Text.Encodings.Web;
using Fathom.Data;
using Fathom.Http;
using Fathom.Redis;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using StackExchange.Redis;

namespace Fathom.Identity;

/// <summary>
/// Authenticates <c>Authorization: Bearer</c> credentials inside each app, with no call to Auth:
/// an ES256 access token checked for issuer, audience, lifetime, key id and algorithm (and a Redis
/// revocation mark set at logout), or an API key looked up by its hash (revocation works at once).
/// </summary>
public sealed partial class CallerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<AuthOptions> authOptions,
    SigningKeys keys,
    SystemDatabase database,
    RedisConnections redis) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "Fathom";

    private static readonly JsonWebTokenHandler Tokens = new() { MapInboundClaims = false };

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var credential = header["Bearer ".Length..].Trim();
        return ApiKeyFormat.LooksLikeKey(credential)
            ? await AuthenticateApiKeyAsync(credential)
            : await AuthenticateTokenAsync(credential);
    }

    public static TokenValidationParameters ValidationParameters(AuthOptions options, SigningKeys keys) => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = options.Audience,
        IssuerSigningKeys = keys.Validation,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        TryAllIssuerSigningKeys = false,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    private async Task<AuthenticateResult> AuthenticateTokenAsync(string token)
    {
        if (token.Count(c => c == '.') != 2)
        {
            // Neither a key nor a JWT: most often another service's key pasted into a client (an OpenAI "sk-..." key, say).
            return AuthenticateResult.Fail("The credential is neither a Fathom API key (fth_...) nor an access token.");
        }
        var result = await Tokens.ValidateTokenAsync(token, ValidationParameters(authOptions.Value, keys));
        if (!result.IsValid)
        {
            return AuthenticateResult.Fail("The access token is not valid.");
        }
        var jti = result.ClaimsIdentity.FindFirst(CallerClaims.TokenId)?.Value;
        if (jti is not null && await IsRevokedAsync(jti))
        {
            return AuthenticateResult.Fail("The access token was revoked.");
        }
        return Success(result.ClaimsIdentity.Claims);
    }

    private async Task<bool> IsRevokedAsync(string jti)
    {
        try
        {
            var connection = await redis.GetAsync();
            if (!connection.IsConnected)
            {
                // Known to be down: asking would wait out the client's backlog timeout (5 s by default) on every call.
                LogRevocationUnavailable(Logger, null);
                return false;
            }
            return await connection.GetDatabase().KeyExistsAsync(RevocationKey(jti));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Revocation marks live in Redis; without Redis the token's short lifetime is the limit.
            LogRevocationUnavailable(Logger, ex);
            return false;
        }
    }

    public static string RevocationKey(string jti) => $"fathom:revoked:{jti}";

    private async Task<AuthenticateResult> AuthenticateApiKeyAsync(string key)
    {
        await using var command = database.Source.CreateCommand("""
            UPDATE api_keys SET last_used_at = now()
            WHERE secret_hash = $1 AND revoked_at IS NULL
            RETURNING id, user_id, scopes
            """);
        command.With(ApiKeyFormat.Hash(key));
        await using var reader = await command.ExecuteReaderAsync(Context.RequestAborted);
        if (!await reader.ReadAsync(Context.RequestAborted))
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }
        var claims = new List<Claim>
        {
            new(CallerClaims.ApiKeyId, reader.GetGuid(0).ToString()),
            new(CallerClaims.Subject, reader.GetGuid(1).ToString()),
        };
        claims.AddRange(reader.GetFieldValue<string[]>(2).Select(s => new Claim(CallerClaims.Scope, s)));
        return Success(claims);
    }

    private static AuthenticateResult Success(IEnumerable<Claim> claims)
    {
        var identity = new ClaimsIdentity(claims, SchemeName, CallerClaims.Subject, null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // Say why a credential that was sent failed: "401 Unauthorized" alone leaves a user guessing between a typo, a revoked key and an expired token.
        // Only this handler's own reasons: an exception's message (a database error, say) is no business of the caller's.
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure is AuthenticationFailureException own ? own.Message : null;
        var challenge = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        if (Context.GetEndpoint()?.Metadata.GetMetadata<ProtectedResourceMetadataLink>() is { } link)
        {
            challenge += $"{(failure is null ? " " : ", ")}resource_metadata=\"{PublicAddress.Of(Request)}{link.Path}\"";
        }
        Response.Headers.WWWAuthenticate = challenge;
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized", failure is null
            ? "Sign in: send a valid access token or API key as 'Authorization: Bearer ...'."
            : $"{failure} Send a valid access token or API key as 'Authorization: Bearer ...'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "This credential may not do that: this API key's scopes do not include the one this call needs ('read' to look, 'write' to change data).");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token revocation check skipped: Redis unavailable")]
    private static partial void LogRevocationUnavailable(ILogger logger, Exception? ex);
}
