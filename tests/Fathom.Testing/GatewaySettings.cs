using System.Text.Json;

namespace Fathom.Testing;

/// <summary>The apps the local gateway runs (tools/Gateway/appsettings.json), for tests that add an app of their own.</summary>
public static class GatewaySettings
{
    /// <summary>
    /// The settings prefix of an app a test adds (<c>Gateway__Apps__N__</c>): N is past every app the gateway already
    /// lists, so the test's app never overwrites a real one's name, command or routes when an app is added.
    /// </summary>
    public static string ExtraAppPrefix { get; } = $"Gateway__Apps__{AppCount()}__";

    private static int AppCount()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tools", "Gateway", "appsettings.json")));
        return settings.RootElement.GetProperty("Gateway").GetProperty("Apps").GetArrayLength();
    }
}
