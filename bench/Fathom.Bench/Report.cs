using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Fathom.Bench;

/// <summary>The markdown summary of a results JSON: machine, one table per measure, and the aims with pass/miss.</summary>
public static class Report
{
    public static string Markdown(JsonObject results, string? analysis)
    {
        var md = new StringBuilder();
        var machine = results["machine"]!.AsObject();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Fathom benchmark — {machine["date"]}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine["nproc"]} × {machine["cpu"]}, {machine["memoryGiB"]} GiB RAM, kernel {machine["kernel"]}, .NET SDK {machine["dotnetSdk"]} ({machine["dotnetRuntime"]}). " +
            $"Tree: commit {machine["commit"]} with {machine["uncommittedFiles"]} uncommitted files (work in progress of others). Load average at start {machine["loadAverageAtStart"]}, at end {machine["loadAverageAtEnd"]}. Run took {results["durationMinutes"]} min{(results["quick"]?.GetValue<bool>() == true ? " (quick development run: smaller sizes)" : "")}.");
        md.AppendLine();

        Aims(md, results);
        ColdStart(md, results["coldStart"] as JsonObject);
        Ingestion(md, results["ingestion"] as JsonObject);
        VectorIndex(md, results["vectorIndex"] as JsonObject);
        Search(md, results["search"] as JsonObject);
        Throughput(md, results["throughput"] as JsonObject);
        ScaleFromZero(md, results["scaleFromZero"] as JsonObject);

        if (results["builds"] is JsonArray builds && builds.Any(b => b!["ok"]!.GetValue<bool>() == false))
        {
            md.AppendLine("## Build failures");
            md.AppendLine();
            foreach (var b in builds.Where(b => b!["ok"]!.GetValue<bool>() == false))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {b!["app"]} ({b["flavour"]}): `{b["error"]}`");
            }
            md.AppendLine();
        }
        if (!string.IsNullOrWhiteSpace(analysis))
        {
            md.AppendLine(analysis.Trim());
            md.AppendLine();
        }
        return md.ToString();
    }

    /// <summary>The aims of the Speed issue, each with the figure of this run.</summary>
    public static JsonArray Evaluate(JsonObject results)
    {
        var aims = new JsonArray();
        void Add(string aim, string measured, bool? met) => aims.Add(new JsonObject { ["aim"] = aim, ["measured"] = measured, ["met"] = met });

        if (results["coldStart"]?["results"] is JsonArray cold)
        {
            var hello = cold.FirstOrDefault(r => (string?)r!["app"] == "HelloAot")?["medianMs"]?.GetValue<double>();
            foreach (var r in cold.Where(r => (string?)r!["flavour"] == Builds.Aot && (string?)r!["app"] != "HelloAot"))
            {
                var app = (string)r!["app"]!;
                if (r["medianMs"]?.GetValue<double>() is { } ms && hello is { } h)
                {
                    Add($"{app}: Native AOT cold start ≤ 1.5× hello-world ({1.5 * h:0} ms)", $"{ms:0} ms ({ms / h:0.0}×)", ms <= 1.5 * h);
                }
                else
                {
                    Add($"{app}: Native AOT cold start ≤ 1.5× hello-world", $"not measured: {Short((string?)r["error"])}", false);
                }
            }
            foreach (var app in cold.Select(r => (string)r!["app"]!).Where(a => a != "HelloAot").Distinct())
            {
                var rows = cold.Where(r => (string?)r!["app"] == app && r!["idleRssMiB"] is not null).ToList();
                if (rows.Count == 0)
                {
                    continue;
                }
                var text = string.Join(", ", rows.Select(r => $"{r!["flavour"]} {r["idleRssMiB"]!.GetValue<double>():0}"));
                var aot = rows.FirstOrDefault(r => (string?)r!["flavour"] == Builds.Aot)?["idleRssMiB"]?.GetValue<double>();
                Add($"{app}: idle RSS ≤ 40 MiB (Native AOT)", $"{text} MiB", aot is { } a ? a <= 40 : null);
            }
        }
        if (results["search"]?["sizes"] is JsonArray sizes)
        {
            var largest = sizes.LastOrDefault(s => s!["hybrid"] is not null);
            if (largest is not null)
            {
                var chunks = largest["chunks"]!.GetValue<int>();
                var text = largest["fulltext"]!["p50Ms"]!.GetValue<double>();
                var p50 = largest["hybrid"]!["p50Ms"]!.GetValue<double>();
                var p99 = largest["hybrid"]!["p99Ms"]!.GetValue<double>();
                Add($"full-text search p50 ≤ 10 ms at 100k chunks", $"{text:0.0} ms at {chunks:N0} chunks", chunks >= 100_000 ? text <= 10 : null);
                Add($"hybrid search p50 ≤ 15 ms at 100k chunks", $"{p50:0.0} ms at {chunks:N0} chunks", chunks >= 100_000 ? p50 <= 15 : null);
                Add($"hybrid search p99 ≤ 50 ms at 100k chunks", $"{p99:0.0} ms at {chunks:N0} chunks", chunks >= 100_000 ? p99 <= 50 : null);
                foreach (var s in sizes.Where(s => s!["recallAt10"] is not null))
                {
                    var recall = s!["recallAt10"]!.GetValue<double>();
                    // The hashed embedder's vectors, not the index: reported, not an aim (the index's own recall is in vectorIndex).
                    Add($"recall@10 of HNSW on hashed-embedder vectors ({s["chunks"]!.GetValue<int>():N0} chunks)", recall.ToString("0.000", CultureInfo.InvariantCulture), null);
                }
            }
        }
        if (results["search"]?["realSet"]?["rankings"] is JsonArray rankings
            && rankings.FirstOrDefault(r => (string?)r!["ranking"] == "bm25 reference")?["ndcgAt10"]?.GetValue<double>() is { } reference)
        {
            double? Ndcg(string mode) => rankings.FirstOrDefault(r => (string?)r!["ranking"] == mode)?["ndcgAt10"]?.GetValue<double>();
            if (Ndcg("fulltext") is { } text)
            {
                Add("full-text nDCG@10 ≥ BM25 reference (real set)", $"{text:0.000} vs {reference:0.000}", text >= reference);
            }
            if (Ndcg("hybrid") is { } hybrid)
            {
                Add("hybrid nDCG@10 > BM25 reference (real set)", $"{hybrid:0.000} vs {reference:0.000}", hybrid > reference);
            }
        }
        if (results["ingestion"]?["smallDocuments"]?["documentsPerSecond"] is JsonNode rate)
        {
            Add("ingestion ≥ 200 small documents/s", $"{rate.GetValue<double>():0.0} docs/s", rate.GetValue<double>() >= 200);
        }
        if (results["vectorIndex"] is JsonObject index && index["hnswBuildSeconds"] is JsonNode build)
        {
            var rows = index["rows"]!.GetValue<int>();
            Add($"HNSW build of 100k chunks ≤ 60 s", $"{build.GetValue<double>():0.0} s at {rows:N0} rows", rows >= 100_000 ? build.GetValue<double>() <= 60 : null);
            if (index["recallAt10"] is JsonNode recall)
            {
                Add($"HNSW recall@10 ≥ 0.95 at the default ef_search ({Fathom.Knowledge.Stores.ChunkStore.DefaultEfSearch}), clustered dense vectors", $"{recall.GetValue<double>():0.000} at {rows:N0} rows", recall.GetValue<double>() >= 0.95);
            }
        }
        return aims;
    }

    private static void Aims(StringBuilder md, JsonObject results)
    {
        if (results["aims"] is not JsonArray aims || aims.Count == 0)
        {
            return;
        }
        md.AppendLine("## Aims");
        md.AppendLine();
        md.AppendLine("| aim | measured | |");
        md.AppendLine("|---|---|---|");
        foreach (var a in aims)
        {
            var met = a!["met"]?.GetValue<bool>();
            md.AppendLine(CultureInfo.InvariantCulture, $"| {a["aim"]} | {a["measured"]} | {(met is null ? "n/a" : met.Value ? "met" : "**missed**")} |");
        }
        md.AppendLine();
    }

    private static void ColdStart(StringBuilder md, JsonObject? cold)
    {
        if (cold?["results"] is not JsonArray rows)
        {
            return;
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"## Cold start: exec → first 200 (median of {cold["runs"]}) and idle RSS (median of {cold["rssRuns"]})");
        md.AppendLine();
        md.AppendLine("`listen` = exec → port accepts; `1st req` = the rest (first request: auth, first DB/Redis connections, first run of the path).");
        md.AppendLine();
        md.AppendLine("| app | endpoint | JIT ms (listen + 1st req) | RSS MiB | ReadyToRun ms | RSS MiB | Native AOT ms | RSS MiB | AOT binary MiB |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var app in rows.Select(r => (string)r!["app"]!).Distinct())
        {
            JsonNode? Row(string flavour) => rows.FirstOrDefault(r => (string?)r!["app"] == app && (string?)r!["flavour"] == flavour);
            string Time(JsonNode? r) => r is null ? "—" : r["medianMs"] is { } ms ? $"{ms} ({r["medianListenMs"]} + {r["medianFirstRequestMs"]})" : $"failed: {Short((string?)r["error"])}";
            string Rss(JsonNode? r) => r?["idleRssMiB"]?.ToString() ?? "—";
            var endpoint = rows.First(r => (string?)r!["app"] == app)!["endpoint"];
            md.AppendLine(CultureInfo.InvariantCulture, $"| {app} | `{endpoint}` | {Time(Row(Builds.Jit))} | {Rss(Row(Builds.Jit))} | {Time(Row(Builds.ReadyToRun))} | {Rss(Row(Builds.ReadyToRun))} | {Time(Row(Builds.Aot))} | {Rss(Row(Builds.Aot))} | {Row(Builds.Aot)?["binarySizeMiB"]?.ToString() ?? "—"} |");
        }
        md.AppendLine();
        var traced = ColdStartSuite.TracedApps.Where(app => rows.Any(r => (string?)r!["app"] == app && (string?)r!["flavour"] == ColdStartSuite.TracedFlavour)).ToList();
        if (traced.Count > 0)
        {
            md.AppendLine("Cost of tracing (Native AOT, `OTEL_EXPORTER_OTLP_ENDPOINT` set to a port that refuses connections):");
            md.AppendLine();
            md.AppendLine("| app | tracing off ms | RSS MiB | tracing on ms | RSS MiB |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var app in traced)
            {
                JsonNode? Row(string flavour) => rows.FirstOrDefault(r => (string?)r!["app"] == app && (string?)r!["flavour"] == flavour);
                string Time(JsonNode? r) => r?["medianMs"]?.ToString() ?? $"failed: {Short((string?)r?["error"])}";
                md.AppendLine(CultureInfo.InvariantCulture, $"| {app} | {Time(Row(Builds.Aot))} | {Row(Builds.Aot)?["idleRssMiB"]?.ToString() ?? "—"} | {Time(Row(ColdStartSuite.TracedFlavour))} | {Row(ColdStartSuite.TracedFlavour)?["idleRssMiB"]?.ToString() ?? "—"} |");
            }
            md.AppendLine();
        }
    }

    private static void Ingestion(StringBuilder md, JsonObject? ingestion)
    {
        if (ingestion is null)
        {
            return;
        }
        md.AppendLine("## Ingestion (Knowledge upload API → Redis stream → Ingestion app, hashed 384-d embedder)");
        md.AppendLine();
        if (ingestion["error"] is { } error)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Not measured: {error}");
            md.AppendLine();
            return;
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"Binaries: Knowledge {ingestion["knowledge"]}, Ingestion {ingestion["ingestion"]}; vector store: {ingestion["vectorStore"]}.");
        md.AppendLine();
        md.AppendLine("| workload | size | upload s | time to searchable s | rate | searchable |");
        md.AppendLine("|---|---|---|---|---|---|");
        if (ingestion["smallDocuments"] is JsonObject s)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {s["documents"]} small .md documents, {s["filesPerRequest"]} per request | {s["totalKiB"]} KiB | {s["uploadSeconds"]} | {s["timeToSearchableSeconds"]} | **{s["documentsPerSecond"]} docs/s** ({s["complete"]} COMPLETE, {s["failed"]} FAILED) | {s["lastDocumentFound"]} |");
        }
        if (ingestion["largePdf"] is JsonObject p)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| one {p["pages"]}-page PDF ({p["chunks"]} chunks) | {p["sizeKiB"]} KiB | {p["uploadSeconds"]} | {p["timeToSearchableSeconds"]} | {p["status"]} | {p["lastPageFound"]} |");
        }
        md.AppendLine();
        if (ingestion["smallDocumentsCpuSeconds"] is JsonObject cpu)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"CPU seconds used during the small-document run ({cpu["wallSeconds"]} s of wall time): {string.Join(", ", cpu.Where(c => c.Key != "wallSeconds").Select(c => $"{c.Key} {c.Value}"))}.");
            md.AppendLine();
        }
        if (ingestion["vectorStorePerDocumentMs"] is JsonObject v)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Vector-store calls of one small document (ChunkStore, one after another, ms): {string.Join(", ", v.Where(c => c.Key != "total").Select(c => $"{c.Key} {c.Value}"))}; total {v["total"]} ms.");
            md.AppendLine();
        }
    }

    private static void VectorIndex(StringBuilder md, JsonObject? index)
    {
        if (index is null)
        {
            return;
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"## HNSW index on clustered dense vectors ({index["rows"]} rows, {index["dimension"]}-d, {index["clusters"]} clusters; {index["queries"]} queries, top {index["topK"]})");
        md.AppendLine();
        if (index["error"] is { } error)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Not measured: {error}");
            md.AppendLine();
            return;
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"Binary COPY {index["copyRowsPerSecond"]} rows/s; HNSW build **{index["hnswBuildSeconds"]} s**; exact search p50 {index["exactP50Ms"]} ms.");
        md.AppendLine();
        md.AppendLine("| ef_search | recall@10 | p50 ms | p99 ms |");
        md.AppendLine("|---|---|---|---|");
        foreach (var row in index["efSearchSweep"] as JsonArray ?? [])
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row!["efSearch"]} | {row["recallAt10"]} | {row["p50Ms"]} | {row["p99Ms"]} |");
        }
        md.AppendLine();
    }

    private static void Search(StringBuilder md, JsonObject? search)
    {
        if (search?["sizes"] is not JsonArray sizes)
        {
            return;
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"## Search ({search["queries"]} queries × 2, top {search["topK"]}, via ChunkSearch; {search["vectorStore"]}, pgvector {search["pgvector"]})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Full text: BM25 ({search["bm25"]}) from the postings; hybrid fusion: {search["hybridFusion"]}.");
        md.AppendLine();
        md.AppendLine("| chunks | load rows/s | HNSW build s | postings rows (MiB) | vector p50 / p99 ms | full-text p50 / p99 ms | hybrid p50 / p99 ms | exact vector p50 ms | recall@10 at ef_search 100 (sweep 40 / 100 / 200 / 400) | recall@10, chunk-like queries | similarity kept |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in sizes)
        {
            if (s!["hybrid"] is null)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {s["targetChunks"]} | — | — | — | — | — | — | — | {s["skipped"] ?? s["error"]} | | |");
                continue;
            }
            var sweep = s["efSearchSweep"] is JsonArray e ? string.Join(" / ", e.Select(x => x!["recallAt10"]!.ToString())) : "";
            var postings = s["postingsRows"] is { } rows ? $"{rows.GetValue<long>():N0} ({s["postingsMiB"]})" : "—";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {s["chunks"]}{(s["partial"]?.GetValue<bool>() == true ? " (partial)" : "")} | {s["insertRowsPerSecond"]} | {s["hnswBuildSeconds"]} | {postings} | {s["vector"]!["p50Ms"]} / {s["vector"]!["p99Ms"]} | {s["fulltext"]!["p50Ms"]} / {s["fulltext"]!["p99Ms"]} | {s["hybrid"]!["p50Ms"]} / {s["hybrid"]!["p99Ms"]} | {s["exactVector"]!["p50Ms"]} | {s["recallAt10"]} ({sweep}) | {s["recallAt10ChunkLikeQueries"]?.ToString() ?? "—"} | {s["similarityKeptAt10"]} |");
        }
        md.AppendLine();
        if (search["realSet"] is JsonObject real)
        {
            md.AppendLine("### Real text: recall@10 and nDCG@10 per mode");
            md.AppendLine();
            if (real["error"] is { } error)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"Not measured: {error}");
                md.AppendLine();
                return;
            }
            md.AppendLine(CultureInfo.InvariantCulture, $"{real["source"]}: {real["documents"]} documents ({real["chunks"]} chunks), {real["queries"]} queries (each module's synopsis, removed from the pages; bench/eval/python_docs.py). Documents rank by their best chunk among the top {real["chunkDepth"]}; BM25 {real["bm25"]}; hybrid {real["hybridFusion"]}. The reference is bench/eval/bm25_reference.py: plain BM25 over whole pages, its own tokenizer and stemmer.");
            md.AppendLine();
            md.AppendLine("| ranking | recall@10 | nDCG@10 | p50 ms | p95 ms |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var r in (JsonArray)real["rankings"]!)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {r!["ranking"]} | {r["recallAt10"]} | {r["ndcgAt10"]} | {r["p50Ms"]?.ToString() ?? "–"} | {r["p95Ms"]?.ToString() ?? "–"} |");
            }
            md.AppendLine();
        }
    }

    private static void Throughput(StringBuilder md, JsonObject? throughput)
    {
        if (throughput is null)
        {
            return;
        }
        md.AppendLine("## Throughput: authenticated GET /api/tasks (page of 20)");
        md.AppendLine();
        if (throughput["error"] is { } error)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Not measured: {error}");
            md.AppendLine();
            return;
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"{throughput["tool"]}; Tasks binaries: {throughput["binaries"]}; rate limiter: {throughput["rateLimiter"]}{(throughput["rateLimiterBudgetsSeen"] is { } k ? $" ({k} budget keys in Redis after the run)" : "")}.");
        md.AppendLine();
        md.AppendLine("| path | requests/s | mean ms | p50 ms | p90 ms | p99 ms | non-2xx |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, key) in new[] { ("through the gateway (YARP)", "gateway"), ("straight to Tasks", "direct") })
        {
            if (throughput[key] is JsonObject r)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | **{r["requestsPerSecond"]}** | {r["meanMs"]} | {r["p50Ms"]} | {r["p90Ms"]} | {r["p99Ms"]} | {r["non2xx"]} |");
            }
        }
        md.AppendLine();
    }

    private static void ScaleFromZero(StringBuilder md, JsonObject? scale)
    {
        if (scale is null)
        {
            return;
        }
        md.AppendLine("## Scale from zero through the gateway");
        md.AppendLine();
        if (scale["error"] is { } error)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Not measured: {error}");
            md.AppendLine();
            return;
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"{scale["mode"]}. The gateway's own start → /health/live medians: {string.Join(", ", (scale["gatewayStartToLiveMedianMs"] as JsonObject ?? []).Select(kv => $"{kv.Key} {kv.Value} ms"))}.");
        md.AppendLine();
        md.AppendLine("| what | from zero (median) | warm (median) |");
        md.AppendLine("|---|---|---|");
        if (scale["tasks"] is JsonObject t)
        {
            md.AppendLine(t["error"] is { } e
                ? $"| Tasks GET /api/tasks | failed: {e} | |"
                : $"| Tasks ({t["binaries"]}) GET /api/tasks, first request (n={t["runs"]}) | {t["fromZeroMedianMs"]} ms (max {t["fromZeroMaxMs"]}) | {t["warmMedianMs"]} ms |");
        }
        if (scale["tasksWithoutConfigWatcher"] is JsonObject tw && tw["error"] is null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| same, apps started with `{tw["setting"]}` (no config file watcher) | {tw["fromZeroMedianMs"]} ms (max {tw["fromZeroMaxMs"]}) | {tw["warmMedianMs"]} ms |");
        }
        if (scale["ingestion"] is JsonObject i)
        {
            md.AppendLine(i["error"] is { } e
                ? $"| Ingestion upload → COMPLETE | failed: {e} | |"
                : $"| Knowledge + Ingestion ({i["binaries"]}{(i["note"] is { } n ? $": {n}" : "")}): one document upload → COMPLETE, Ingestion woken by the stream backlog (n={i["runs"]}) | {i["uploadToCompleteFromZeroMedianMs"]} ms | {i["uploadToCompleteWarmMedianMs"]} ms |");
        }
        md.AppendLine();
    }

    private static string Short(string? text) => text is null ? "" : (text.Length > 160 ? text[..160] + "…" : text).Replace('|', '/').Replace('\n', ' ');
}
