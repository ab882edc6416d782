using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fathom.Deploy.Tests;

/// <summary>The alerts and the dashboard in k8s/base/monitoring ask only for metrics something really exports.</summary>
public sealed partial class MonitoringTests
{
    private static readonly List<Manifest> Objects = Yaml.AllObjects();

    private static readonly string[] HistogramSeries = ["_bucket", "_count", "_sum"];

    /// <summary>The alerts an on-call person needs (issue 16): lag growing, dead letters, 5xx, an app not starting, a timer missed.</summary>
    private static readonly string[] RequiredAlerts = ["FathomIngestionLagGrowing", "FathomDeadLetters", "FathomHttp5xxRate", "FathomAppFailingToStart", "FathomTimerMissed"];

    [Fact]
    public void The_rule_has_the_five_alerts_and_each_names_an_exported_metric()
    {
        var rule = Objects.Single(o => o.Kind == "PrometheusRule" && o.Name == "fathom");
        var alerts = rule.Root.Maps("spec", "groups").SelectMany(g => g.Maps("rules")).ToDictionary(r => r.Str("alert")!, r => r.Str("expr")!);
        Assert.Equal(RequiredAlerts.Order(), alerts.Keys.Order());
        var exported = ExportedMetrics();
        foreach (var (alert, expr) in alerts)
        {
            var metrics = MetricNames(expr);
            Assert.True(metrics.Count > 0, $"{alert}: no metric in '{expr}'");
            Assert.All(metrics, m => Assert.True(exported.Contains(m) || IsExternal(m), $"{alert} uses {m}, which no code exports (exported: {string.Join(", ", exported.Order())})"));
        }
    }

    [Fact]
    public void The_dashboard_is_a_labelled_configmap_whose_panels_name_exported_metrics()
    {
        var map = Objects.Single(o => o.Kind == "ConfigMap" && o.Name == "fathom-grafana-dashboard");
        Assert.Equal("1", map.Label("grafana_dashboard"));
        using var dashboard = JsonDocument.Parse(map.Root.Str("data", "fathom.json")!);
        var exprs = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!)).ToList();
        Assert.True(exprs.Count >= 6, "a panel per alert figure, and throughput and latency");
        var exported = ExportedMetrics();
        Assert.All(exprs.SelectMany(MetricNames), m => Assert.True(exported.Contains(m) || IsExternal(m), $"the dashboard uses {m}, which no code exports"));
    }

    /// <summary>kube-state-metrics (pods that cannot start are seen from outside the app) and PromQL's own series.</summary>
    private static bool IsExternal(string metric) => metric.StartsWith("kube_pod_", StringComparison.Ordinal);

    private static HashSet<string> MetricNames(string expr)
        => MetricRegex().Matches(expr).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// What /metrics serves, by the OpenTelemetry Prometheus exporter's naming: instrument names of our meters (dots
    /// to underscores, unit "s" adds _seconds, counters _total, histograms _bucket/_count/_sum), plus ASP.NET Core's
    /// request duration histogram, which MetricsEndpoint turns on.
    /// </summary>
    private static HashSet<string> ExportedMetrics()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var sources = Repo.CSharpSources(Repo.PathOf("shared")).Concat(Repo.CSharpSources(Repo.PathOf("tools"))).Select(File.ReadAllText).ToList();
        foreach (var match in sources.SelectMany(s => InstrumentRegex().Matches(s)))
        {
            var name = match.Groups["name"].Value.Replace('.', '_') + (match.Groups["unit"].Value == "s" ? "_seconds" : "");
            switch (match.Groups["kind"].Value)
            {
                case "Counter":
                    names.Add(name + "_total");
                    break;
                case "Histogram":
                    names.UnionWith(HistogramSeries.Select(s => name + s));
                    break;
                default:
                    names.Add(name);
                    break;
            }
        }
        var metricsEndpoint = File.ReadAllText(Repo.PathOf("shared", "Fathom.Functions", "Hosting", "MetricsEndpoint.cs"));
        if (metricsEndpoint.Contains("\"Microsoft.AspNetCore.Hosting\"", StringComparison.Ordinal))
        {
            names.UnionWith(HistogramSeries.Select(s => "http_server_request_duration_seconds" + s));
        }
        return names;
    }

    [GeneratedRegex(@"\b(?:fathom|http_server|kube)_[a-z0-9_]+\b")]
    private static partial Regex MetricRegex();

    [GeneratedRegex(@"Create(?:Observable)?(?<kind>Counter|Histogram|Gauge|UpDownCounter)(?:<[^>]+>)?\(\s*""(?<name>fathom\.[a-z0-9_.]+)""(?:[^;]*?unit:\s*""(?<unit>[^""]*)"")?", RegexOptions.Singleline)]
    private static partial Regex InstrumentRegex();
}
