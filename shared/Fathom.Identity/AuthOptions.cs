using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Fathom.Identity;

/// <summary>Settings under <c>Auth</c>: who issues tokens, for whom, and with which keys.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public string Issuer { get; set; } = "fathom";

    public string Audience { get; set; } = "fathom-api";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Private keys (Auth app only). The first signs; all are published in the JWKS.</summary>
    public List<KeyOptions> SigningKeys { get; set; } = [];

    /// <summary>Public keys every app validates with; derived from <see cref="SigningKeys"/> when empty.</summary>
    public List<KeyOptions> ValidationKeys { get; set; } = [];
}

public sealed class KeyOptions
{
    public string Id { get; set; } = "";

    public string? PrivateKeyPem { get; set; }

    public string? PublicKeyPem { get; set; }
}

/// <summary>ES256 keys loaded once from <see cref="AuthOptions"/>.</summary>
public sealed class SigningKeys
{
    public SigningKeys(IOptions<AuthOptions> options)
    {
        var auth = options.Value;
        Signing = auth.SigningKeys.Select(k => Load(k, k.PrivateKeyPem, "PrivateKeyPem")).ToArray();
        var validation = auth.ValidationKeys.Count > 0
            ? auth.ValidationKeys.Select(k => Load(k, k.PublicKeyPem, "PublicKeyPem")).ToArray()
            : Signing;
        Validation = validation;
        if (Validation.Count == 0)
        {
            throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions),
                ["No token keys configured: set Auth__ValidationKeys__0__Id and Auth__ValidationKeys__0__PublicKeyPem (or the signing keys)."]);
        }
    }

    public IReadOnlyList<ECDsaSecurityKey> Signing { get; }

    public IReadOnlyList<ECDsaSecurityKey> Validation { get; }

    private static ECDsaSecurityKey Load(KeyOptions key, string? pem, string field)
    {
        if (string.IsNullOrWhiteSpace(key.Id) || string.IsNullOrWhiteSpace(pem))
        {
            throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions), [$"Every Auth key needs an Id and a {field}."]);
        }
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem.Replace("\\n", "\n", StringComparison.Ordinal));
        if (ecdsa.KeySize != 256)
        {
            throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions), [$"Auth key '{key.Id}' must be a P-256 key (ES256)."]);
        }
        return new ECDsaSecurityKey(ecdsa) { KeyId = key.Id };
    }
}
