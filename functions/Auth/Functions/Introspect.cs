using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Auth.Functions;

/// <summary>RFC 7662 introspection for other services: is this access token or API key good right now?</summary>
public sealed class Introspect(IOptions<AuthOptions> options, SigningKeys signingKeys, ApiKeyStore apiKeys, TokenRevocations revocations)
{
    private static readonly IntrospectionResponse Inactive = new(false);

    private readonly JsonWebTokenHandler _tokens = new() { MapInboundClaims = false };

    [Function(nameof(Introspect))]
    public async Task<Ok<IntrospectionResponse>> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "auth/introspect")] HttpRequest req,
        [FromBody] IntrospectRequest body,
        CancellationToken ct)
    {
        var token = body.Token!.Trim();
        if (ApiKeyFormat.LooksLikeKey(token))
        {
            return TypedResults.Ok(await apiKeys.FindLiveAsync(token, ct) is { } key
                ? new IntrospectionResponse(true, Sub: key.UserId.ToString(), Scope: string.Join(' ', key.Scopes), TokenType: "api_key", ApiKeyId: key.Id)
                : Inactive);
        }

        var result = await _tokens.ValidateTokenAsync(token, CallerAuthenticationHandler.ValidationParameters(options.Value, signingKeys));
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || await revocations.IsRevokedAsync(jwt.Id))
        {
            return TypedResults.Ok(Inactive);
        }
        return TypedResults.Ok(new IntrospectionResponse(
            true,
            Sub: jwt.Subject,
            Exp: new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero).ToUnixTimeSeconds(),
            Iat: new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero).ToUnixTimeSeconds(),
            Iss: jwt.Issuer,
            Aud: string.Join(' ', jwt.Audiences),
            Jti: jwt.Id,
            TokenType: "access_token"));
    }
}
