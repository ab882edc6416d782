using System.Security.Cryptography;
using System.Text;

namespace Fathom.Identity;

/// <summary>API keys look like <c>fth_&lt;8 prefix chars&gt;_&lt;secret&gt;</c>; only a SHA-256 of the whole key is stored.</summary>
public static class ApiKeyFormat
{
    public const string Marker = "fth_";

    public static (string Key, string Prefix, byte[] Hash) Create()
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = $"{Marker}{prefix}_{secret}";
        return (key, prefix, Hash(key));
    }

    public static bool LooksLikeKey(string credential) => credential.StartsWith(Marker, StringComparison.Ordinal);

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Base64Url(byte[] bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
