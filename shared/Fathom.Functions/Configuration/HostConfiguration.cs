using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Fathom.Functions.Configuration;

/// <summary>
/// Reads host.json and local.settings.json the way Core Tools does: host.json lands under the
/// <c>AzureFunctionsJobHost</c> section (so <c>AzureFunctionsJobHost__functions__0</c> overrides its
/// <c>functions</c> list), local.settings.json <c>Values</c> become top-level settings and <c>Host</c>
/// gives the local port and CORS. Both go in first, so environment variables and arguments win.
/// </summary>
public static class HostConfiguration
{
    public const string JobHostSection = "AzureFunctionsJobHost";

    public static void AddHostFiles(IConfigurationManager configuration, string contentRoot)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

        if (Find("host.json", contentRoot) is { } hostJson)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(hostJson), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            Flatten(doc.RootElement, JobHostSection, settings);
        }

        if (Find("local.settings.json", contentRoot) is { } localSettings)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(localSettings), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.TryGetProperty("Values", out var values))
            {
                foreach (var value in values.EnumerateObject())
                {
                    // Core Tools turns Values into environment variables, where "__" means ":".
                    settings[value.Name.Replace("__", ":", StringComparison.Ordinal)] = value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString() : value.Value.GetRawText();
                }
            }
            if (doc.RootElement.TryGetProperty("Host", out var host))
            {
                Flatten(host, "Host", settings);
            }
        }

        var sources = (IList<IConfigurationSource>)configuration.Sources;
        sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = settings });
    }

    /// <summary>The app's own folder first (the build copies host.json there), then the working directory.</summary>
    private static string? Find(string file, string contentRoot)
    {
        foreach (var dir in new[] { contentRoot, AppContext.BaseDirectory })
        {
            var path = Path.Combine(dir, file);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string?> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, $"{prefix}:{property.Name}", into);
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}:{i++}", into);
                }
                break;
            case JsonValueKind.String:
                into[prefix] = element.GetString();
                break;
            case JsonValueKind.Null:
                into[prefix] = null;
                break;
            default:
                into[prefix] = element.GetRawText();
                break;
        }
    }
}
