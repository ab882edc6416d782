using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fathom.Bench;

/// <summary>
/// <c>./fathom figures</c>: the figures the reliability suites left in artifacts/ (faults.json from
/// tests/Fathom.Faults.Tests; hostile-fuzz, hostile-files, tenant-matrix and soak from tests/Fathom.Hostile.Tests),
/// with the machine they ran on, as bench/results/reliability-&lt;date&gt;.json and a short .md.
/// </summary>
public static class ReliabilityReport
{
    private static readonly string[] Parts = ["faults", "hostile-fuzz", "hostile-files", "tenant-matrix", "soak"];

    public static async Task<int> RunAsync(string root, string artifacts, string? date)
    {
        var figures = new JsonObject
        {
            ["date"] = date ?? DateTime.Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["machine"] = Machine.Describe(),
        };
        var missing = new List<string>();
        foreach (var part in Parts)
        {
            var file = Path.Combine(artifacts, part + ".json");
            if (File.Exists(file))
            {
                figures[part] = JsonNode.Parse(await File.ReadAllTextAsync(file));
            }
            else
            {
                missing.Add(part);
            }
        }
        if (missing.Count == Parts.Length)
        {
            await Console.Error.WriteLineAsync($"No figures in {artifacts}: run ./fathom test first.");
            return 1;
        }
        figures["missing"] = new JsonArray([.. missing.Select(m => (JsonNode)m)]);
        var folder = Path.Combine(root, "bench", "results");
        Directory.CreateDirectory(folder);
        var name = $"reliability-{figures["date"]}";
        var json = Path.Combine(folder, name + ".json");
        var md = Path.Combine(folder, name + ".md");
        await File.WriteAllTextAsync(json, figures.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        await File.WriteAllTextAsync(md, Markdown(figures));
        Log.Line($"wrote {json} and {md}{(missing.Count > 0 ? $" (no figures for: {string.Join(", ", missing)})" : "")}");
        Console.Out.WriteLine(await File.ReadAllTextAsync(md));
        return 0;
    }

    public static string Markdown(JsonObject f)
    {
        var machine = f["machine"]!;
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Reliability figures, {f["date"]}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Machine: {machine["nproc"]} cores ({machine["cpu"]}), {machine["memoryGiB"]} GiB, {machine["os"]}, {machine["dotnetRuntime"]}; commit {machine["commit"]}. ");
        md.Append("Measured by `./fathom test` (the suites run beside each other on the same cores), assembled by `./fathom figures`.\n\n");
        md.Append("| what | figure |\n|---|---|\n");
        void Row(string what, string figure) => md.Append(CultureInfo.InvariantCulture, $"| {what} | {figure} |\n");

        if (f["faults"] is JsonObject faults)
        {
            var statuses = faults["statusesSeenByCallers"] is JsonObject s ? string.Join(", ", s.Select(p => $"{p.Value} × {p.Key}")) : "";
            Row("faults injected (private stack)", $"{faults["faults"]?.AsArray().Count} ({string.Join("; ", faults["faults"]!.AsArray().Select(x => x!.ToString()).GroupBy(Kind).Select(g => $"{g.Count()} × {g.Key}"))})");
            Row("documents through the faults", $"{faults["complete"]} of {faults["documents"]} COMPLETE, {faults["chunksChecked"]} chunks checked, {faults["deadLetters"]} dead letters; callers saw {statuses}");
        }
        if (f["hostile-fuzz"] is JsonObject fuzz)
        {
            Row("hostile requests fuzzed", $"{fuzz["requests"]:N0} to {fuzz["endpoints"]} endpoints ({fuzz["functionEndpoints"]} from the function tables) in {fuzz["seconds"]} s");
            Row("fuzz: 5xx / 4xx not problem+json / unanswered / crashes", $"{fuzz["serverErrors"]} / {fuzz["fourXxNotProblemJson"]} / {fuzz["noAnswer"]} / {fuzz["crashes"]} ({fuzz["refusedByKestrelItself"]} refused by Kestrel before the app, bare status)");
        }
        if (f["hostile-files"] is JsonObject files)
        {
            var outcomes = files["files"]!.AsArray().Select(x => $"{x!["file"]} {x["outcome"] ?? x["upload"]}");
            Row("hostile documents checked", $"{files["documents"]}: {string.Join(", ", outcomes)}; {files["deadLetters"]} dead letters, {files["crashes"]} crashes");
        }
        if (f["tenant-matrix"] is JsonObject matrix)
        {
            Row("tenant probes", $"{matrix["probes"]} ({matrix["endpoints"]} endpoints × {matrix["callers"]?.AsArray().Count} callers): {matrix["violations"]} violations, {matrix["serverErrors"]} 5xx");
        }
        if (f["soak"] is JsonObject soak)
        {
            Row("soak", $"{soak["seconds"]} s, {soak["users"]} users, {soak["requests"]:N0} calls, error rate {soak["errorRate"]}, {soak["serverErrors"]} 5xx, {soak["crashes"]} crashes");
            foreach (var (operation, o) in soak["operations"]!.AsObject())
            {
                Row($"soak: {operation} p50 / p99", $"{o!["p50Ms"]} / {o["p99Ms"]} ms ({o["count"]} calls)");
            }
            foreach (var (app, r) in soak["rss"]!.AsObject())
            {
                Row($"soak: {app} RSS", $"first half {r!["warmUpMiB"]} → last quarter {r["lastQuarterMedianMiB"]} MiB ({Percent(r["drift"])}), peak {r["peakAfterWarmUpMiB"]} MiB ({Percent(r["burst"])}), end {r["endMiB"]} MiB");
            }
        }
        if (f["missing"] is JsonArray { Count: > 0 } missing)
        {
            md.Append(CultureInfo.InvariantCulture, $"\nNot in this run: {string.Join(", ", missing.Select(m => m!.ToString()))}.\n");
        }
        return md.ToString();
    }

    /// <summary>"12:01:02 kill -9 Ingestion" → "kill -9 Ingestion".</summary>
    private static string Kind(string fault) => fault.Length > 9 && fault[2] == ':' && fault[5] == ':' ? fault[9..] : fault;

    private static string Percent(JsonNode? fraction) => fraction is null ? "?" : (fraction.GetValue<double>() * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " %";
}
