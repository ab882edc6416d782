using System.Security.Cryptography;
using Fathom.Connections;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fathom.Identity;

/// <summary>
/// The first token an app validates pays for OpenSSL's start, the validation keys' import and IdentityModel's
/// signature providers, and after a scale from zero that first request is the one a user waits on (bench/ANALYSIS.md).
/// At start, beside the connection warm-ups, this validates a throwaway token that names the real key's id but is
/// signed by a key of its own: it fails, having walked the same path.
/// </summary>
internal sealed class TokenValidationWarmUp(IOptions<AuthOptions> options, SigningKeys keys, TimeProvider time) : IWarmUp
{
    public string Name => "token validation";

    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        // Off the host's start: everything below would otherwise run before its first await.
        await Task.Yield();
        using var throwaway = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = time.GetUtcNow().UtcDateTime;
        var token = CallerAuthenticationHandler.Tokens.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(1),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(throwaway) { KeyId = keys.Validation[0].KeyId }, SecurityAlgorithms.EcdsaSha256),
        });
        var result = await CallerAuthenticationHandler.Tokens.ValidateTokenAsync(token, CallerAuthenticationHandler.ValidationParameters(options.Value, keys));
        if (result.IsValid)
        {
            throw new InvalidOperationException("A token signed by a throwaway key was accepted.");
        }
    }
}
