using System.Text.RegularExpressions;

namespace Fathom.Deploy.Tests;

/// <summary>The KEDA and HTTP add-on objects: documented fields only, and wired to the right apps and names.</summary>
public partial class KedaTests
{
    private static readonly List<Manifest> Objects = Yaml.AllObjects();

    private static Manifest One(string kind, string name) =>
        Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"missing {kind}/{name}");

    [Fact]
    public void Custom_resources_use_only_documented_fields()
    {
        var custom = Objects.Where(o => KedaSchemas.ByType.ContainsKey($"{o.ApiVersion}/{o.Kind}")).ToList();
        Assert.Contains(custom, o => o.Kind == "InterceptorRoute");
        Assert.Contains(custom, o => o.Kind == "ScaledObject");
        var errors = custom.SelectMany(o => KedaSchemas.Validate(o).Select(e => $"{o}: {e}")).ToList();
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec:\n  scaleTargetRef: {name: x}\n  minReplicas: 0\n  triggers: []\n", "minReplicas")]
    [InlineData("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec:\n  scaleTargetRef: {name: x}\n  triggers:\n    - type: redis-streams\n      metadata: {address: 'r:6379', stream: s, lagCount: 5}\n", "lagCount")]
    [InlineData("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec:\n  scaleTargetRef: {name: x}\n  triggers:\n    - type: redis-streams\n      metadata: {address: 'r:6379', stream: s, queueLength: '5'}\n", "queueLength")]
    [InlineData("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec:\n  scaleTargetRef: {name: x}\n  maxReplicaCount: '3'\n  triggers: []\n", "maxReplicaCount")]
    [InlineData("apiVersion: http.keda.sh/v1beta1\nkind: InterceptorRoute\nmetadata: {name: x}\nspec:\n  target: {service: x, port: 80}\n  hosts: [a]\n  scalingMetric: {concurrency: {targetValue: 1}}\n", "hosts")]
    [InlineData("apiVersion: http.keda.sh/v1beta1\nkind: InterceptorRoute\nmetadata: {name: x}\nspec:\n  target: {service: x, port: 80, portName: http}\n  scalingMetric: {concurrency: {targetValue: 1}}\n", "portName")]
    [InlineData("apiVersion: http.keda.sh/v1beta1\nkind: InterceptorRoute\nmetadata: {name: x}\nspec:\n  target: {service: x, port: 80}\n  scalingMetric: {}\n", "concurrency")]
    [InlineData("apiVersion: http.keda.sh/v1beta1\nkind: InterceptorRoute\nmetadata: {name: x}\nspec:\n  target: {service: x, port: 80}\n  rules: [{paths: ['/api']}]\n  scalingMetric: {concurrency: {targetValue: 1}}\n", "rules[0].paths[0]")]
    public void The_schema_catches_undocumented_fields_and_wrong_types(string yaml, string expectedInError)
    {
        var manifest = new Manifest("inline", 0, Yaml.Parse(yaml, "inline").Single());
        var errors = KedaSchemas.Validate(manifest);
        Assert.Contains(errors, e => e.Contains(expectedInError, StringComparison.Ordinal));
    }

    public static TheoryData<string> HttpApps()
    {
        var data = new TheoryData<string>();
        foreach (var app in Conventions.Apps.Where(a => a.IsHttp))
        {
            data.Add(app.K8sName);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(HttpApps))]
    public void Http_app_has_interceptor_route_and_external_push_ScaledObject(string app)
    {
        var conventions = Conventions.Apps.Single(a => a.K8sName == app);
        var route = One("InterceptorRoute", app);
        var service = One("Service", route.Root.Str("spec", "target", "service")!);
        Assert.Equal(app, service.Name);
        Assert.Contains(service.Root.Maps("spec", "ports"), p => p.Str("port") == route.Root.Str("spec", "target", "port"));

        // The public rule: the Ingress host and exactly the conventions' prefixes.
        var ingressHost = One("Ingress", "fathom").Root.Str("spec", "rules", "0", "host");
        var publicRule = route.Root.Maps("spec", "rules")[0];
        Assert.Equal([ingressHost!], publicRule.Strs("hosts"));
        Assert.Equal(conventions.Routes.Order(StringComparer.Ordinal), publicRule.Maps("paths").Select(p => p.Str("value")!).Order(StringComparer.Ordinal));

        var scaled = One("ScaledObject", app);
        Assert.Equal("Deployment", scaled.Root.Str("spec", "scaleTargetRef", "kind"));
        Assert.Equal(app, scaled.Root.Str("spec", "scaleTargetRef", "name"));
        Assert.Equal("0", scaled.Root.Str("spec", "minReplicaCount"));
        var trigger = Assert.Single(scaled.Root.Maps("spec", "triggers"));
        Assert.Equal("external-push", trigger.Str("type"));
        Assert.Equal("keda-add-ons-http-external-scaler.keda:9090", trigger.Str("metadata", "scalerAddress"));
        Assert.Equal(route.Name, trigger.Str("metadata", "interceptorRoute"));
    }

    [Fact]
    public void Interceptor_routes_do_not_overlap()
    {
        var claimed = Objects.Where(o => o.Kind == "InterceptorRoute")
            .SelectMany(o => o.Root.Maps("spec", "rules").SelectMany(r =>
                r.Strs("hosts").SelectMany(h => r.Maps("paths").Select(p => (Host: h, Path: p.Str("value")!, Route: o.Name)))))
            .ToList();
        var clashes = claimed.GroupBy(c => (c.Host, c.Path)).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(c => c.Route))}").ToList();
        Assert.Empty(clashes);
    }

    [Fact]
    public void Ingestion_scales_on_the_conventions_stream_and_group()
    {
        var scaled = One("ScaledObject", "ingestion");
        var spec = scaled.Root.Map("spec");
        Assert.Equal("ingestion", spec.Str("scaleTargetRef", "name"));
        Assert.Equal("0", spec.Str("minReplicaCount"));
        Assert.Equal("10", spec.Str("maxReplicaCount"));
        Assert.Equal("15", spec.Str("pollingInterval"));
        Assert.Equal("120", spec.Str("cooldownPeriod"));
        var trigger = Assert.Single(spec.Maps("triggers"));
        Assert.Equal("redis-streams", trigger.Str("type"));
        var metadata = trigger.StrMap("metadata");
        Assert.Equal("fathom:ingest", metadata["stream"]);
        Assert.Equal("ingestion", metadata["consumerGroup"]);
        Assert.Equal(Conventions.IngestStream, metadata["stream"]);
        Assert.Equal(Conventions.IngestGroup, metadata["consumerGroup"]);
        Assert.Equal("5", metadata["lagCount"]);
        Assert.Equal("0", metadata["activationLagCount"]);

        // The address is the redis Service; the password comes from the Secret the redis server uses.
        var redis = One("Service", "redis");
        Assert.Equal($"redis.fathom.svc.cluster.local:{redis.Root.Str("spec", "ports", "0", "port")}", metadata["address"]);
        var auth = One("TriggerAuthentication", trigger.Str("authenticationRef", "name")!);
        Assert.Equal("fathom-redis-auth", auth.Name);
        var secretRef = Assert.Single(auth.Root.Maps("spec", "secretTargetRef"));
        Assert.Equal("password", secretRef.Str("parameter"));
        var server = One("StatefulSet", "redis").Containers().Single();
        var serverPassword = server.Maps("env").Single(e => e.Str("name") == "REDIS_PASSWORD");
        Assert.Equal(secretRef.Str("name"), serverPassword.Str("valueFrom", "secretKeyRef", "name"));
        Assert.Equal(secretRef.Str("key"), serverPassword.Str("valueFrom", "secretKeyRef", "key"));
    }

    /// <summary>
    /// The KEDA trigger and the function's stream trigger must name the same stream and group.
    /// Reads the IngestDocument trigger from functions/Ingestion when that code exists; until then
    /// the names come from docs/conventions.md (checked above).
    /// </summary>
    [Fact]
    public void Stream_names_match_the_code()
    {
        var ingestion = Repo.PathOf("functions", "Ingestion");
        var appSources = Repo.CSharpSources(ingestion).ToList();
        if (appSources.Count == 0)
        {
            Assert.Equal("fathom:ingest", Conventions.IngestStream);
            Assert.Equal("ingestion", Conventions.IngestGroup);
            return;
        }

        var allSources = appSources.Concat(Repo.CSharpSources(Repo.PathOf("shared"))).Select(File.ReadAllText).ToList();
        // A constant is a literal or another constant's name (IngestQueue.RedisSetting = RedisConnections.DefaultSetting).
        var constants = allSources.SelectMany(s => ConstRegex().Matches(s)).GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.First());
        string Constant(string name)
        {
            for (var hops = 0; hops < 8 && constants.TryGetValue(name, out var match); hops++)
            {
                if (match.Groups[2].Success)
                {
                    return match.Groups[2].Value;
                }
                name = match.Groups[3].Value.Split('.')[^1];
            }
            throw new Xunit.Sdk.XunitException($"cannot resolve '{name}' in functions/Ingestion or shared/");
        }

        var deployment = One("Deployment", "ingestion");
        var settings = deployment.Containers().Single().Maps("env").Where(e => e.Str("value") is not null).ToDictionary(e => e.Str("name")!, e => e.Str("value")!);
        foreach (var (key, value) in One("ConfigMap", "fathom-host").Root.StrMap("data"))
        {
            settings.TryAdd(key, value);
        }

        string Resolve(string expression)
        {
            expression = expression.Trim();
            var value = expression.StartsWith('"')
                ? expression.Trim('"')
                : Constant(expression.Split('.')[^1]);
            if (value.Length > 2 && value[0] == '%' && value[^1] == '%')
            {
                var setting = value[1..^1];
                return settings.TryGetValue(setting, out var v) ? v : throw new Xunit.Sdk.XunitException($"setting '{setting}' used by the stream trigger is not set in the ingestion Deployment or ConfigMap fathom-host");
            }
            return value;
        }

        var triggers = appSources.Select(File.ReadAllText).SelectMany(s => TriggerRegex().Matches(s)).ToList();
        Assert.True(triggers.Count > 0, "functions/Ingestion has code but no [RedisStreamTrigger(...)]");
        foreach (var trigger in triggers)
        {
            var args = trigger.Groups[1].Value.Split(',');
            Assert.Equal("RedisConnection", Resolve(args[0]));
            Assert.Equal(Conventions.IngestStream, Resolve(args[1]));
            var group = args.Skip(2).Select(a => a.Split('=', 2)).FirstOrDefault(kv => kv[0].Trim() == "ConsumerGroup");
            Assert.True(group is not null, "the stream trigger sets no ConsumerGroup, so the group would be the function name, not the one KEDA watches");
            Assert.Equal(Conventions.IngestGroup, Resolve(group[1]));
        }
    }

    [Fact]
    public void Maintenance_cron_windows_cover_the_timers()
    {
        var scaled = One("ScaledObject", "maintenance");
        Assert.Equal("0", scaled.Root.Str("spec", "minReplicaCount"));
        Assert.Equal("1", scaled.Root.Str("spec", "maxReplicaCount"));
        var windows = scaled.Root.Maps("spec", "triggers").Select(t =>
        {
            Assert.Equal("cron", t.Str("type"));
            Assert.Equal("UTC", t.Str("metadata", "timezone"));
            Assert.Equal("1", t.Str("metadata", "desiredReplicas"));
            return (Start: CronMinutes(t.Str("metadata", "start")!), End: CronMinutes(t.Str("metadata", "end")!));
        }).ToList();

        // KEDA's cron scaler is active from a start until the next end; simulate two days by the minute.
        bool Active(int minute) => windows.Any(w =>
        {
            int Last(HashSet<int> set) => Enumerable.Range(0, 24 * 60).Select(back => minute - back).FirstOrDefault(m => set.Contains(((m % 1440) + 1440) % 1440), int.MinValue);
            return Last(w.Start) > Last(w.End);
        });

        var timers = Conventions.Timers;
        Assert.Equal(3, timers.Count);
        foreach (var (name, schedule) in timers)
        {
            var ticks = CronMinutes(string.Join(' ', schedule.Split(' ')[1..]));
            var ticksInDay = Enumerable.Range(1440, 1440).Where(m => ticks.Contains(m % 1440)).ToList();
            var covered = ticksInDay.Where(Active).ToList();
            // Every timer runs at least once every 10 minutes (or as often as it ticks, if rarer) ...
            var period = ticksInDay.Zip(ticksInDay.Skip(1), (a, b) => b - a).DefaultIfEmpty(1440).Max();
            var gaps = covered.Zip(covered.Skip(1), (a, b) => b - a).DefaultIfEmpty(int.MaxValue);
            Assert.True(covered.Count > 0 && gaps.Max() <= Math.Max(10, period), $"{name} ({schedule}) runs less often than every {Math.Max(10, period)} minutes");
            // ... and a timer that ticks every 10 minutes or less often never misses a tick, on a pod that is already warm.
            if (ticksInDay.Count <= 144)
            {
                Assert.Equal(ticksInDay, covered);
                Assert.All(ticksInDay, m => Assert.True(Active(m - 1), $"{name}: the window opens too late for the tick at minute {m % 1440}"));
            }
        }
    }

    /// <summary>Minutes of the day a 5-field cron (minute hour * * *) fires; lists, ranges, steps and *.</summary>
    private static HashSet<int> CronMinutes(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(fields.Length == 5 && fields[2..].All(f => f == "*"), $"unsupported cron '{cron}'");
        var minutes = CronField(fields[0], 59);
        var hours = CronField(fields[1], 23);
        return hours.SelectMany(h => minutes.Select(m => (h * 60) + m)).ToHashSet();
    }

    private static IEnumerable<int> CronField(string field, int max) => field.Split(',').SelectMany(part =>
    {
        var step = 1;
        if (part.Contains('/', StringComparison.Ordinal))
        {
            step = int.Parse(part[(part.IndexOf('/', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            part = part[..part.IndexOf('/', StringComparison.Ordinal)];
        }
        var (from, to) = part == "*" ? (0, max)
            : part.Contains('-', StringComparison.Ordinal) ? (int.Parse(part.Split('-')[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(part.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture))
            : (int.Parse(part, System.Globalization.CultureInfo.InvariantCulture), step > 1 ? max : int.Parse(part, System.Globalization.CultureInfo.InvariantCulture));
        return Enumerable.Range(from, to - from + 1).Where(v => (v - from) % step == 0);
    });

    [GeneratedRegex(@"const\s+string\s+(\w+)\s*=\s*(?:""([^""]*)""|([\w.]+)\s*;)")]
    private static partial Regex ConstRegex();

    [GeneratedRegex(@"RedisStreamTrigger\(([^)]*)\)")]
    private static partial Regex TriggerRegex();
}
