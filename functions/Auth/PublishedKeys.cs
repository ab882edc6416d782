using Fathom.Identity;
using Microsoft.IdentityModel.Tokens;

namespace Auth.Functions;

/// <summary>The JWKS: public halves of every signing key, so a key being rotated out still verifies the tokens it signed.</summary>
public sealed class PublishedKeys(SigningKeys keys)
{
    public JsonWebKeySet Set { get; } = new([.. keys.Signing.Select(key =>
    {
        var point = key.ECDsa.ExportParameters(includePrivateParameters: false).Q;
        return new PublicJsonWebKey("EC", "P-256", Base64UrlEncoder.Encode(point.X), Base64UrlEncoder.Encode(point.Y), key.KeyId, SecurityAlgorithms.EcdsaSha256, "sig");
    })]);
}
