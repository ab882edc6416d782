using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Bench;

// bench/run.sh builds, starts the stack and runs this; see bench/README.md for what each number means.
if (Array.IndexOf(args, "--reliability") is var at and >= 0)
{
    // ./fathom figures: assemble what the reliability suites left in artifacts/ (no build, no stack, no waiting).
    string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    var rootDir = Arg("--root") ?? Directory.GetCurrentDirectory();
    return await ReliabilityReport.RunAsync(rootDir, at + 1 < args.Length && !args[at + 1].StartsWith("--", StringComparison.Ordinal) ? args[at + 1] : Path.Combine(rootDir, "artifacts"), Arg("--date"));
}
var options = Options.Parse(args);
var analysisFile = Path.Combine(options.Root, "bench", "ANALYSIS.md");
if (options.ReportOnly is { } existing)
{
    // Rewrites the .md of an earlier run from its .json (after ANALYSIS.md or the report format changed).
    var earlier = JsonNode.Parse(await File.ReadAllTextAsync(existing))!.AsObject();
    earlier["aims"] = Report.Evaluate(earlier);
    await File.WriteAllTextAsync(Path.ChangeExtension(existing, ".md"), Report.Markdown(earlier, File.Exists(analysisFile) ? await File.ReadAllTextAsync(analysisFile) : null));
    Log.Line($"wrote {Path.ChangeExtension(existing, ".md")}");
    if (earlier["quick"]?.GetValue<bool>() != true && Options.AllSuites.All(suite => earlier[suite] is not null))
    {
        await Readme.UpdateAsync(options.Root, earlier);
    }
    return 0;
}
var clock = Stopwatch.StartNew();
var results = new JsonObject
{
    ["machine"] = Machine.Describe(),
    ["quick"] = options.Quick,
};
var builds = Builds.Load(options.Root, options.BuildStatus);
results["builds"] = builds.Describe();
Log.Line($"apps: {string.Join(", ", builds.Apps)}; suites: {string.Join(", ", options.Suites)}; load {Machine.LoadAverage()}");

await using (var env = await BenchEnvironment.CreateAsync(options.Root, options.SharedVectorStore))
{
    results["vectorStore"] = env.VectorStoreKind;
    async Task Suite(string name, Func<Task<JsonObject>> run)
    {
        if (!options.Suites.Contains(name))
        {
            return;
        }
        Log.Line($"— {name} (load {Machine.LoadAverage()})");
        var started = Stopwatch.StartNew();
        JsonObject section;
        try
        {
            section = await run();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Line($"{name} failed: {ex}");
            section = new JsonObject { ["error"] = ex.Message };
        }
        section["loadAverageBefore"] = Machine.LoadAverage();
        section["seconds"] = Math.Round(started.Elapsed.TotalSeconds);
        results[name] = section;
    }

    await Suite("coldStart", () => new ColdStartSuite(env, builds, options.Runs, Math.Min(3, options.Runs), options.Apps).RunAsync());
    await Suite("ingestion", () => new IngestionSuite(env, builds, options.Quick ? 200 : 1000, 50, options.Quick ? 40 : 200).RunAsync());
    await Suite("vectorIndex", () => new VectorIndexSuite(env, options.Quick ? Math.Min(10_000, options.MaxRows) : options.MaxRows, 200).RunAsync());
    await Suite("search", () => new SearchSuite(env, options.Quick ? [Math.Min(10_000, options.MaxRows)] : [10_000, options.MaxRows], 100, TimeSpan.FromMinutes(options.Quick ? 3 : 9), options.RealSet).RunAsync());
    await Suite("throughput", () => new ThroughputSuite(env, builds, options.Quick ? 5 : 12, 32).RunAsync());
    await Suite("scaleFromZero", () => new ScaleFromZeroSuite(env, builds, options.Quick ? 2 : 5).RunAsync());
}

results["machine"]!["loadAverageAtEnd"] = Machine.LoadAverage();
results["durationMinutes"] = Math.Round(clock.Elapsed.TotalMinutes, 1);
results["aims"] = Report.Evaluate(results);

var date = DateTime.Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
var folder = options.Quick ? Path.Combine(options.Root, "bench", "results", "raw") : Path.Combine(options.Root, "bench", "results");
Directory.CreateDirectory(folder);
var json = Path.Combine(folder, $"{date}.json");
var md = Path.Combine(folder, $"{date}.md");
await File.WriteAllTextAsync(json, results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
await File.WriteAllTextAsync(md, Report.Markdown(results, File.Exists(analysisFile) ? await File.ReadAllTextAsync(analysisFile) : null));
Log.Line($"wrote {json} and {md}");
// bench/README.md shows the latest full run: a run of some suites would replace its other tables with nothing.
if (!options.Quick && options.Suites.Count == Options.AllSuites.Length)
{
    await Readme.UpdateAsync(options.Root, results);
}
Console.Out.WriteLine();
Console.Out.WriteLine(await File.ReadAllTextAsync(md));
return 0;

internal static class Readme
{
    /// <summary>bench/README.md ends with the tables of the latest full run, after its "latest" marker.</summary>
    public static async Task UpdateAsync(string root, JsonObject results)
    {
        const string marker = "<!-- latest -->";
        var readme = Path.Combine(root, "bench", "README.md");
        if (!File.Exists(readme))
        {
            return;
        }
        var text = await File.ReadAllTextAsync(readme);
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return;
        }
        var table = Report.Markdown(results, null).Replace("\n# ", "\n### ", StringComparison.Ordinal).Replace("\n## ", "\n#### ", StringComparison.Ordinal);
        table = table.StartsWith("# ", StringComparison.Ordinal) ? "###" + table[1..] : table;
        await File.WriteAllTextAsync(readme, text[..(at + marker.Length)] + "\n\n" + table);
    }
}

internal sealed record Options(string Root, string? BuildStatus, bool Quick, bool SharedVectorStore, int Runs, int MaxRows, HashSet<string> Suites, string[]? Apps, string? ReportOnly, string? RealSet)
{
    public static readonly string[] AllSuites = ["coldStart", "ingestion", "vectorIndex", "search", "throughput", "scaleFromZero"];

    public static Options Parse(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var quick = args.Contains("--quick");
        var root = Value("--root") ?? Directory.GetCurrentDirectory();
        var suites = Value("--suites") is { } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => AllSuites.FirstOrDefault(a => a.Equals(s, StringComparison.OrdinalIgnoreCase)) ?? throw new ArgumentException($"Unknown suite '{s}'; known: {string.Join(", ", AllSuites)}"))
                .ToHashSet(StringComparer.Ordinal)
            : AllSuites.ToHashSet(StringComparer.Ordinal);
        return new Options(
            root,
            Value("--build-status"),
            quick,
            args.Contains("--shared-vector-store"),
            int.TryParse(Value("--runs"), out var runs) ? runs : quick ? 3 : 10,
            int.TryParse(Value("--max-rows"), out var rows) ? rows : 100_000,
            suites,
            Value("--apps")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Value("--report-only"),
            Value("--real-set"));
    }
}
