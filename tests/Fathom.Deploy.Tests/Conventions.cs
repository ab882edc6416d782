using System.Text.RegularExpressions;

namespace Fathom.Deploy.Tests;

/// <summary>One row of the function-apps table in docs/conventions.md.</summary>
public sealed record ConventionApp(string Dir, string K8sName, string Image, IReadOnlyList<string> Routes, string Triggers)
{
    public bool IsHttp => Triggers.Contains("HTTP", StringComparison.Ordinal);
}

/// <summary>The names docs/conventions.md fixes, read from the document itself.</summary>
public static partial class Conventions
{
    private static readonly Lazy<string> LazyText = new(() => File.ReadAllText(Repo.PathOf("docs", "conventions.md")));

    public static string Text => LazyText.Value;

    public static IReadOnlyList<ConventionApp> Apps { get; } = ParseApps();

    public static string IngestStream => Match(IngestRegex(), 1);

    public static string IngestGroup => Match(IngestRegex(), 2);

    public static string IngestFunction => Match(IngestFunctionRegex(), 1);

    public static string LivenessPath => Match(LivenessRegex(), 1);

    public static string ReadinessPath => Match(ReadinessRegex(), 1);

    public static string MetricsPath => Match(MetricsRegex(), 1);

    /// <summary>Timer name → NCRONTAB (6 fields, with seconds).</summary>
    public static IReadOnlyDictionary<string, string> Timers =>
        TimerRegex().Matches(Match(TimersLineRegex(), 0))
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    /// <summary>
    /// True when an environment variable name is a setting of conventions.md; index digits
    /// (<c>__0__</c>, trailing <c>__0</c>) match the document's <c>N</c>.
    /// </summary>
    public static bool DefinesSetting(string name)
    {
        var generic = IndexRegex().Replace(name, "__N$1");
        return Regex.IsMatch(Text, $@"(?<![A-Za-z0-9_]){Regex.Escape(generic)}(?![A-Za-z0-9_])");
    }

    private static List<ConventionApp> ParseApps()
    {
        var apps = new List<ConventionApp>();
        foreach (var line in Text.Split('\n'))
        {
            var m = AppRowRegex().Match(line);
            if (!m.Success)
            {
                continue;
            }
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            var names = cells[2].Split(',', StringSplitOptions.TrimEntries);
            var routes = cells[4].StartsWith('(')
                ? []
                : cells[4].Split(',', StringSplitOptions.TrimEntries)
                    .Select(r => r.Split(' ')[0])
                    .ToList();
            apps.Add(new ConventionApp(m.Groups[1].Value, names[0], names[1], routes, cells[5]));
        }
        if (apps.Count == 0)
        {
            throw new InvalidOperationException("no function app rows found in docs/conventions.md");
        }
        return apps;
    }

    private static string Match(Regex regex, int group)
    {
        var m = regex.Match(Text);
        return m.Success ? m.Groups[group].Value : throw new InvalidOperationException($"docs/conventions.md: no match for {regex}");
    }

    [GeneratedRegex(@"^\|\s*functions/(\w+)\s*\|")]
    private static partial Regex AppRowRegex();

    [GeneratedRegex(@"Ingestion stream `([^`]+)`, consumer group `([^`]+)`")]
    private static partial Regex IngestRegex();

    [GeneratedRegex(@"Ingestion stream [^\n]*Function `([^`]+)`")]
    private static partial Regex IngestFunctionRegex();

    [GeneratedRegex(@"liveness `GET (/[^`\s]+)`")]
    private static partial Regex LivenessRegex();

    [GeneratedRegex(@"readiness `GET (/[^`\s]+)`")]
    private static partial Regex ReadinessRegex();

    [GeneratedRegex(@"Prometheus text at `GET (/[^`\s]+)`")]
    private static partial Regex MetricsRegex();

    [GeneratedRegex(@"Maintenance timers:[^\n]*")]
    private static partial Regex TimersLineRegex();

    [GeneratedRegex(@"`(\w+)` `([^`]+)`")]
    private static partial Regex TimerRegex();

    [GeneratedRegex(@"__\d+(__|$)")]
    private static partial Regex IndexRegex();
}
