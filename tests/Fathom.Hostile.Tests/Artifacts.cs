using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Testing;

namespace Fathom.Hostile.Tests;

/// <summary>Figures each suite leaves in artifacts/ (assembled by <c>./fathom figures</c> into bench/results/).</summary>
public static class Artifacts
{
    public static string Write(string name, JsonObject figures)
    {
        figures["measuredAt"] = DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture);
        var folder = Path.Combine(RepoPaths.Root, "artifacts");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, name + ".json");
        File.WriteAllText(file, figures.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return file;
    }
}
