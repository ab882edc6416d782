using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fathom.Cli;

/// <summary>
/// Makes the git-ignored local.settings.json from local.settings.sample.json on first run: a fresh ES256
/// signing key and host key (never committed), and the local stack's addresses from .fathom/stack.env.
/// Later runs keep the keys and refresh only the stack addresses.
/// </summary>
public static class LocalSettings
{
    public static int Init(string root, TextWriter output)
    {
        var target = Path.Combine(root, "local.settings.json");
        var created = !File.Exists(target);
        var source = created ? Path.Combine(root, "local.settings.sample.json") : target;
        var document = JsonNode.Parse(File.ReadAllText(source))!.AsObject();
        var values = document["Values"]!.AsObject();

        if (created || string.IsNullOrEmpty((string?)values["Auth__SigningKeys__0__PrivateKeyPem"]) || ((string?)values["Auth__SigningKeys__0__PrivateKeyPem"])!.StartsWith('<'))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var keyId = $"local-{DateTime.UtcNow:yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
            values["Auth__SigningKeys__0__Id"] = keyId;
            values["Auth__SigningKeys__0__PrivateKeyPem"] = key.ExportPkcs8PrivateKeyPem();
            values["Auth__ValidationKeys__0__Id"] = keyId;
            values["Auth__ValidationKeys__0__PublicKeyPem"] = key.ExportSubjectPublicKeyInfoPem();
            values["FunctionsHost__Key"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        }

        // The operations page reads app states from the gateway (a settings file from before it existed lacks this).
        if (values["Operations__HealthUrl"] is null)
        {
            values["Operations__HealthUrl"] = "http://localhost:7071/api/health";
        }

        var stackEnv = Path.Combine(root, ".fathom", "stack.env");
        if (File.Exists(stackEnv))
        {
            foreach (var line in File.ReadAllLines(stackEnv))
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    values[line[..eq]] = line[(eq + 1)..];
                }
            }
        }

        File.WriteAllText(target, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        output.WriteLine(created ? "Created local.settings.json (new signing key and host key)." : "Updated local.settings.json (stack addresses).");
        return 0;
    }
}
