using System.Text.Json.Nodes;

namespace Fathom.Bench;

/// <summary>
/// The binaries bench/run.sh built: per app the framework-dependent Release build (JIT), the ReadyToRun publish
/// and the Native AOT publish, with what failed to build and why (bench/.out/build-status.tsv).
/// </summary>
public sealed class Builds(string root, IReadOnlyDictionary<(string App, string Flavour), (bool Ok, string Seconds, string Log)> status)
{
    public const string Jit = "jit";
    public const string ReadyToRun = "r2r";
    public const string Aot = "aot";

    public static readonly string[] Flavours = [Jit, ReadyToRun, Aot];

    public string Root => root;

    /// <summary>Every app under functions/ (a folder with its &lt;Name&gt;.Functions.csproj).</summary>
    public IReadOnlyList<string> Apps { get; } = Directory.GetDirectories(Path.Combine(root, "functions"))
        .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".Functions.csproj")))
        .Select(Path.GetFileName)
        .Order(StringComparer.Ordinal)
        .ToList()!;

    public static Builds Load(string root, string? statusFile)
    {
        var status = new Dictionary<(string, string), (bool, string, string)>();
        if (statusFile is not null && File.Exists(statusFile))
        {
            foreach (var line in File.ReadAllLines(statusFile))
            {
                var f = line.Split('\t');
                if (f.Length >= 5)
                {
                    status[(f[0], f[1])] = (f[2] == "ok", f[3], f[4]);
                }
            }
        }
        return new Builds(root, status);
    }

    public AppBinary Binary(string app, string flavour) => flavour switch
    {
        Jit => new(app, flavour, Path.Combine(root, "functions", app, "bin", "Release", "net10.0", $"{app}.Functions.dll")),
        ReadyToRun => new(app, flavour, Path.Combine(root, "bench", ".out", "r2r", app, $"{app}.Functions.dll")),
        _ when app == "HelloAot" => new(app, flavour, Path.Combine(root, "bench", ".out", "aot", "HelloAot", "HelloAot")),
        _ => new(app, flavour, Path.Combine(root, "functions", app, "bin", "Release", "net10.0", "linux-x64", "publish", $"{app}.Functions")),
    };

    /// <summary>The binary when this run built it (or, without a status file, when it exists); otherwise why not.</summary>
    public (AppBinary? Binary, string? Error) Find(string app, string flavour)
    {
        var binary = Binary(app, flavour);
        if (status.TryGetValue((app, flavour), out var s) && !s.Ok)
        {
            return (null, $"build failed: {ErrorLines(s.Log)}");
        }
        return binary.Exists ? (binary, null) : (null, $"not built ({binary.Path} missing)");
    }

    /// <summary>The distinct errors of a build log ("error CODE: message", without paths), or its last lines.</summary>
    public static string ErrorLines(string log)
    {
        if (!File.Exists(log))
        {
            return "(no log)";
        }
        var text = File.ReadAllText(log);
        var errors = System.Text.RegularExpressions.Regex.Matches(text, @"error [A-Z]+\d+: ([^\[\r\n]+)")
            .Select(m => m.Value.Trim())
            .Select(e => e.Length > 220 ? e[..220] + "…" : e)
            .Distinct(StringComparer.Ordinal)
            .Take(3)
            .ToList();
        return errors.Count > 0 ? string.Join(" | ", errors) : string.Join(" | ", text.Split('\n').Where(l => l.Length > 0).TakeLast(3));
    }

    public JsonArray Describe()
    {
        var array = new JsonArray();
        foreach (var ((app, flavour), (ok, seconds, log)) in status.OrderBy(s => s.Key.App, StringComparer.Ordinal).ThenBy(s => s.Key.Flavour, StringComparer.Ordinal))
        {
            array.Add(new JsonObject { ["app"] = app, ["flavour"] = flavour, ["ok"] = ok, ["seconds"] = int.TryParse(seconds, out var n) ? n : 0, ["error"] = ok ? null : ErrorLines(log) });
        }
        return array;
    }
}
