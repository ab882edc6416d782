using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Fathom.Deploy.Tests;

/// <summary>The manifests agree with docs/conventions.md and with the apps under functions/.</summary>
public partial class ConsistencyTests
{
    private static readonly List<Manifest> Objects = Yaml.AllObjects();

    private static Manifest? Find(string kind, string name) => Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name);

    private static Manifest One(string kind, string name) => Find(kind, name) ?? throw new Xunit.Sdk.XunitException($"missing {kind}/{name}");

    /// <summary>Deployments of Fathom's own images (function apps), not the stateful parts.</summary>
    private static List<Manifest> AppDeployments() =>
        Objects.Where(o => o.Kind == "Deployment" && o.Label("app.kubernetes.io/component") == "function-app").ToList();

    private static List<(Manifest Owner, YamlMappingNode Container)> FathomContainers() =>
        Objects.Where(o => o.PodSpec() is not null)
            .SelectMany(o => o.Containers().Select(c => (o, c)))
            .Where(x => (x.c.Str("image") ?? "").StartsWith("fathom/", StringComparison.Ordinal))
            .ToList();

    public static TheoryData<string> AppDirs()
    {
        // The apps that exist under functions/ now, plus every app conventions.md promises.
        var data = new TheoryData<string>();
        foreach (var dir in Repo.FunctionAppDirs().Union(Conventions.Apps.Select(a => a.Dir), StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            data.Add(dir);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AppDirs))]
    public void Every_function_app_is_deployed_with_service_and_scaler(string dir)
    {
        var convention = Conventions.Apps.SingleOrDefault(a => a.Dir == dir);
        Assert.True(convention is not null, $"functions/{dir} is not in the function-app table of docs/conventions.md");
        var name = convention.K8sName;
        Assert.Equal(dir.ToLowerInvariant(), name);

        var deployment = One("Deployment", name);
        var container = Assert.Single(deployment.Containers());
        Assert.Equal(convention.Image, Kustomize.SplitImage(container.Str("image")!).Repository);
        Assert.Equal(name, deployment.Root.Str("spec", "selector", "matchLabels", "app.kubernetes.io/name"));
        Assert.Equal(name, deployment.Root.Str("spec", "template", "metadata", "labels", "app.kubernetes.io/name"));
        Assert.Equal("fathom", deployment.Root.Str("spec", "template", "metadata", "labels", "app.kubernetes.io/part-of"));

        // Every app gets a Service, the non-HTTP ones too: Prometheus scrapes /metrics through it.
        var service = One("Service", name);
        Assert.Equal(name, service.Root.Str("spec", "selector", "app.kubernetes.io/name"));
        var port = Assert.Single(service.Root.Maps("spec", "ports"));
        Assert.Equal("80", port.Str("port"));
        Assert.Equal("http", port.Str("targetPort"));
        Assert.Equal("http", port.Str("name"));

        var scalers = Objects.Where(o => o.Kind == "ScaledObject" && o.Root.Str("spec", "scaleTargetRef", "name") == name).ToList();
        var scaler = Assert.Single(scalers);
        Assert.Equal("0", scaler.Root.Str("spec", "minReplicaCount"));
        Assert.Null(deployment.Root.At("spec", "replicas")); // KEDA owns the replica count
        if (convention.IsHttp)
        {
            Assert.NotNull(Find("InterceptorRoute", name));
            Assert.NotNull(Find("PodDisruptionBudget", name));
        }
    }

    [Fact]
    public void No_deployment_without_an_app()
    {
        var known = Conventions.Apps.Select(a => a.K8sName).ToHashSet();
        Assert.All(AppDeployments(), d => Assert.Contains(d.Name, known));
        Assert.Equal(known.Count, AppDeployments().Count);
    }

    [Fact]
    public void Apps_listen_on_8080_named_http()
    {
        foreach (var (owner, c) in FathomContainers().Where(x => x.Owner.Kind == "Deployment"))
        {
            var port = Assert.Single(c.Maps("ports"));
            Assert.Equal("http", port.Str("name"));
            Assert.Equal("8080", port.Str("containerPort"));
            Assert.True(c.Maps("env").Any(e => e.Str("name") == "ASPNETCORE_HTTP_PORTS" && e.Str("value") == "8080"), $"{owner}: ASPNETCORE_HTTP_PORTS=8080");
        }
    }

    [Fact]
    public void Health_probes_use_the_conventions_paths()
    {
        Assert.Equal("/health/live", Conventions.LivenessPath);
        Assert.Equal("/health/ready", Conventions.ReadinessPath);
        Assert.NotEmpty(AppDeployments());
        foreach (var (owner, c) in FathomContainers().Where(x => x.Owner.Kind == "Deployment"))
        {
            Assert.True(c.Str("livenessProbe", "httpGet", "path") == Conventions.LivenessPath, $"{owner}: liveness");
            Assert.True(c.Str("readinessProbe", "httpGet", "path") == Conventions.ReadinessPath, $"{owner}: readiness");
            Assert.Equal("http", c.Str("livenessProbe", "httpGet", "port"));
            Assert.Equal("http", c.Str("readinessProbe", "httpGet", "port"));
        }
    }

    /// <summary>ASP.NET Core host keys: framework configuration, not Fathom settings, so not in conventions.md.</summary>
    private static bool IsFrameworkSetting(string name) => name.StartsWith("Logging__", StringComparison.Ordinal);

    /// <summary>
    /// Settings the function code reads through a trigger binding expression (<c>%Name%</c>) that
    /// docs/conventions.md does not list yet; each must really be used that way in functions/.
    /// </summary>
    private static readonly string[] CodeBindingSettings = ["IngestStream"];

    [Fact]
    public void Code_binding_settings_are_used_by_the_code()
    {
        var code = string.Concat(Repo.CSharpSources(Repo.PathOf("functions")).Select(File.ReadAllText));
        foreach (var name in CodeBindingSettings.Where(n => !Conventions.DefinesSetting(n)))
        {
            Assert.True(code.Contains($"\"%{name}%\"", StringComparison.Ordinal), $"{name} is neither in docs/conventions.md nor a %{name}% binding in functions/");
        }
    }

    [Fact]
    public void Setting_names_in_manifests_appear_in_conventions()
    {
        var names = new List<(string Where, string Name)>();
        foreach (var (owner, c) in FathomContainers())
        {
            foreach (var env in c.Maps("env"))
            {
                names.Add((owner.ToString(), env.Str("name")!));
                if (env.Str("valueFrom", "secretKeyRef", "key") is { } key)
                {
                    // Secret keys are the setting names, so envFrom would yield the same variables.
                    Assert.Equal(env.Str("name"), key);
                }
            }
        }
        names.AddRange(One("ConfigMap", "fathom-host").Root.StrMap("data").Keys.Select(k => ("ConfigMap fathom-host", k)));
        foreach (var file in Repo.ManifestFiles().Where(Yaml.IsPatch))
        {
            names.AddRange(Yaml.LoadManifests(file).Where(o => o.Kind == "ConfigMap").SelectMany(o => o.Root.StrMap("data").Keys).Select(k => (Repo.Relative(file), k)));
        }
        // The keys scripts/make-secrets.sh puts into the Secrets the apps read with envFrom.
        var script = File.ReadAllText(Repo.PathOf("scripts", "make-secrets.sh"));
        names.AddRange(SecretKeyRegex().Matches(script).Select(m => ("scripts/make-secrets.sh", m.Groups[1].Value))
            .Where(x => x.Item2 is not ("POSTGRES_PASSWORD" or "REDIS_PASSWORD"))); // server-side keys of the postgres / redis images

        Assert.True(names.Count > 20);
        var unknown = names.Where(n => !IsFrameworkSetting(n.Name) && !CodeBindingSettings.Contains(n.Name) && !Conventions.DefinesSetting(n.Name)).Select(n => $"{n.Where}: {n.Name}").Distinct().ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void Ingestion_runs_only_the_ingest_function()
    {
        var env = One("Deployment", "ingestion").Containers().Single().Maps("env");
        var selected = env.Where(e => (e.Str("name") ?? "").StartsWith("AzureFunctionsJobHost__functions__", StringComparison.Ordinal)).ToList();
        var only = Assert.Single(selected);
        Assert.Equal("AzureFunctionsJobHost__functions__0", only.Str("name"));
        Assert.Equal(Conventions.IngestFunction, only.Str("value"));
        Assert.Equal("IngestDocument", only.Str("value"));
    }

    [Fact]
    public void Secrets_are_referenced_by_documented_names()
    {
        var doc = File.ReadAllText(Repo.PathOf("k8s", "base", "secrets.example.md"));
        var referenced = new List<(Manifest Owner, string Secret)>();
        foreach (var o in Objects.Where(o => o.PodSpec() is not null))
        {
            foreach (var c in o.Containers())
            {
                referenced.AddRange(c.Maps("env").Select(e => e.Str("valueFrom", "secretKeyRef", "name")).OfType<string>().Select(s => (o, s)));
                referenced.AddRange(c.Maps("envFrom").Select(e => e.Str("secretRef", "name")).OfType<string>().Select(s => (o, s)));
            }
        }
        referenced.AddRange(Objects.Where(o => o.Kind == "TriggerAuthentication").SelectMany(o => o.Root.Maps("spec", "secretTargetRef").Select(r => (o, r.Str("name")!))));
        referenced.AddRange(Objects.Where(o => o.Kind == "Ingress").SelectMany(o => o.Root.Maps("spec", "tls").Select(t => (o, t.Str("secretName")!))));

        Assert.All(referenced, r => Assert.True(doc.Contains($"`{r.Secret}`", StringComparison.Ordinal), $"{r.Owner} uses Secret {r.Secret}, not documented in secrets.example.md"));
        var users = referenced.Where(r => r.Secret == "fathom-jwt-signing").Select(r => r.Owner.Name).Distinct().ToList();
        Assert.Equal(["auth"], users);
        foreach (var app in AppDeployments())
        {
            var secrets = referenced.Where(r => r.Owner == app).Select(r => r.Secret).ToHashSet();
            Assert.Superset(new HashSet<string> { "fathom-db", "fathom-redis", "fathom-jwt-public", "fathom-host-key" }, secrets);
        }
    }

    [Fact]
    public void Ingress_routes_every_public_prefix_to_the_interceptor_and_blocks_introspection()
    {
        var ingress = One("Ingress", "fathom");
        Assert.Equal("nginx", ingress.Root.Str("spec", "ingressClassName"));
        Assert.Equal("fathom-tls", ingress.Root.Str("spec", "tls", "0", "secretName"));
        var rule = Assert.Single(ingress.Root.Maps("spec", "rules"));
        Assert.Equal("fathom.example.com", rule.Str("host"));
        Assert.Equal([rule.Str("host")!], ingress.Root.Strs("spec", "tls", "0", "hosts"));
        var paths = rule.Maps("http", "paths").ToDictionary(p => p.Str("path")!, p => p);

        var publicPrefixes = Conventions.Apps.SelectMany(a => a.Routes).ToList();
        Assert.Contains("/", publicPrefixes);
        foreach (var prefix in publicPrefixes)
        {
            Assert.True(paths.TryGetValue(prefix, out var path), $"Ingress does not route {prefix}");
            Assert.Equal("Prefix", path.Str("pathType"));
            Assert.Equal("fathom-interceptor", path.Str("backend", "service", "name"));
            Assert.Equal("8080", path.Str("backend", "service", "port", "number"));
        }
        // Only those, plus the blocked introspection path.
        Assert.Equal(publicPrefixes.Append("/api/auth/introspect").Order(StringComparer.Ordinal), paths.Keys.Order(StringComparer.Ordinal));
        var blocked = paths["/api/auth/introspect"];
        Assert.Equal("Prefix", blocked.Str("pathType"));
        var sink = One("Service", blocked.Str("backend", "service", "name")!);
        Assert.NotEqual("fathom-interceptor", sink.Name);
        var selector = sink.Root.StrMap("spec", "selector");
        Assert.NotEmpty(selector);
        Assert.DoesNotContain(Objects.Where(o => o.PodSpec() is not null), w =>
            selector.All(kv => w.Root.Str("spec", "template", "metadata", "labels", kv.Key) == kv.Value));
    }

    [Fact]
    public void Local_gateway_routes_the_same_prefixes_as_the_Ingress()
    {
        // tools/Gateway stands in for the Ingress locally: a prefix missing there works in the cluster only.
        using var settings = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Repo.PathOf("tools", "Gateway", "appsettings.json")));
        var gateway = settings.RootElement.GetProperty("Gateway").GetProperty("Apps").EnumerateArray()
            .ToDictionary(a => a.GetProperty("Name").GetString()!.ToLowerInvariant(),
                a => a.TryGetProperty("Routes", out var r) ? r.EnumerateArray().Select(p => p.GetString()!).Order(StringComparer.Ordinal).ToList() : []);
        foreach (var app in Conventions.Apps)
        {
            Assert.True(gateway.TryGetValue(app.K8sName, out var routes), $"the gateway does not know {app.K8sName}");
            Assert.Equal(app.Routes.Order(StringComparer.Ordinal), routes);
        }
    }

    [Fact]
    public void Interceptor_is_reached_through_external_name_services()
    {
        foreach (var name in new[] { "fathom-interceptor", "auth-proxy" })
        {
            var svc = One("Service", name);
            Assert.Equal("ExternalName", svc.Root.Str("spec", "type"));
            Assert.Equal("keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local", svc.Root.Str("spec", "externalName"));
            Assert.Equal("8080", svc.Root.Str("spec", "ports", "0", "port"));
        }
        var authRoute = One("InterceptorRoute", "auth");
        var internalRule = authRoute.Root.Maps("spec", "rules").Single(r => r.Strs("hosts").Contains("auth-proxy.fathom.svc.cluster.local"));
        Assert.Equal(["/api/auth/introspect"], internalRule.Maps("paths").Select(p => p.Str("value")!));
    }

    [Fact]
    public void ServiceMonitor_scrapes_metrics_on_http()
    {
        var monitor = One("ServiceMonitor", "fathom");
        Assert.Equal("fathom", monitor.Root.Str("spec", "selector", "matchLabels", "app.kubernetes.io/part-of"));
        var endpoint = Assert.Single(monitor.Root.Maps("spec", "endpoints"));
        Assert.Equal("http", endpoint.Str("port"));
        Assert.Equal(Conventions.MetricsPath, endpoint.Str("path"));
        Assert.All(AppDeployments(), d => Assert.Equal("fathom", One("Service", d.Name).Label("app.kubernetes.io/part-of")));
    }

    [Fact]
    public void Migration_job_runs_the_cli_with_the_app_security_context()
    {
        var job = One("Job", "fathom-migrate");
        var c = Assert.Single(job.Containers());
        Assert.Equal("fathom/cli", Kustomize.SplitImage(c.Str("image")!).Repository);
        Assert.Equal(["migrate", "up"], c.Strs("args"));
        Assert.Equal("Never", job.PodSpec().Str("restartPolicy"));
        Assert.Equal("1654", c.Str("securityContext", "runAsUser"));
        Assert.Contains(c.Maps("env"), e => e.Str("name") == "PostgresConnection");
    }

    [Fact]
    public void Stateful_parts_have_headless_services_claims_and_budgets()
    {
        var expected = new Dictionary<string, (string Image, string Port)>
        {
            ["postgres"] = ("postgres:15", "5432"),
            ["redis"] = ("redis:7", "6379"),
            ["vectorstore"] = ("pgvector/pgvector:pg15", "5432"),
        };
        foreach (var (name, (image, port)) in expected)
        {
            var set = One("StatefulSet", name);
            Assert.Equal(name, set.Root.Str("spec", "serviceName"));
            Assert.Equal(image, set.Containers().Single().Str("image"));
            Assert.NotEmpty(set.Root.Maps("spec", "volumeClaimTemplates"));
            var svc = One("Service", name);
            Assert.Equal("None", svc.Root.Str("spec", "clusterIP"));
            Assert.Equal(port, svc.Root.Str("spec", "ports", "0", "port"));
            Assert.Equal("1", One("PodDisruptionBudget", name).Root.Str("spec", "maxUnavailable"));
        }
        var pg = One("StatefulSet", "postgres").Containers().Single().Maps("env").ToDictionary(e => e.Str("name")!, e => e);
        Assert.StartsWith("/var/lib/postgresql/data/", pg["PGDATA"].Str("value"), StringComparison.Ordinal);
        Assert.NotNull(pg["POSTGRES_PASSWORD"].Str("valueFrom", "secretKeyRef", "name"));
        Assert.All(Objects.Where(o => o.Kind == "PodDisruptionBudget"), p => Assert.Equal("1", p.Root.Str("spec", "maxUnavailable")));
    }

    [Fact]
    public void NetworkPolicies_open_only_the_needed_paths()
    {
        var policies = Objects.Where(o => o.Kind == "NetworkPolicy").ToList();

        static bool FromNamespace(YamlMappingNode peer, string ns) => peer.Str("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name") == ns;
        static IEnumerable<string> Ports(YamlMappingNode rule) => rule.Maps("ports").Select(p => $"{p.Str("protocol")}/{p.Str("port")}");

        // DNS for every pod.
        var dns = policies.Single(p => p.Root.Map("spec", "podSelector")!.Children.Count == 0 && p.Root.Maps("spec", "egress").Count > 0);
        var dnsRule = Assert.Single(dns.Root.Maps("spec", "egress"));
        Assert.True(FromNamespace(dnsRule.Maps("to").Single(), "kube-system"));
        Assert.Equal(["TCP/53", "UDP/53"], Ports(dnsRule).Order(StringComparer.Ordinal));

        // HTTP apps from ingress-nginx and keda on 8080.
        var httpApps = Conventions.Apps.Where(a => a.IsHttp).Select(a => a.K8sName).Order(StringComparer.Ordinal).ToList();
        var toHttp = policies.Single(p => p.Name == "allow-ingress-to-http-apps");
        Assert.Equal(httpApps, toHttp.Root.Strs("spec", "podSelector", "matchExpressions", "0", "values").Order(StringComparer.Ordinal));
        var rule = Assert.Single(toHttp.Root.Maps("spec", "ingress"));
        Assert.Equal(["TCP/8080"], Ports(rule));
        Assert.Contains(rule.Maps("from"), p => FromNamespace(p, "ingress-nginx"));
        Assert.Contains(rule.Maps("from"), p => FromNamespace(p, "keda"));

        // Prometheus.
        var prom = policies.Single(p => p.Name == "allow-prometheus-scrape");
        Assert.True(FromNamespace(prom.Root.Maps("spec", "ingress").Single().Maps("from").Single(), "monitoring"));

        // Auth (introspection) only from function apps, in the namespace.
        var toAuth = policies.Single(p => p.Root.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == "auth");
        var authRule = Assert.Single(toAuth.Root.Maps("spec", "ingress"));
        Assert.Equal("function-app", authRule.Maps("from").Single().Str("podSelector", "matchLabels", "app.kubernetes.io/component"));
        Assert.Null(authRule.Maps("from").Single().At("namespaceSelector"));
        Assert.Equal(["TCP/8080"], Ports(authRule));

        // Apps → stores and auth.
        var egress = policies.Single(p => p.Name == "allow-apps-egress").Root.Maps("spec", "egress");
        string PortTo(string app) => egress.Single(r => r.Maps("to").Any(t => t.Str("podSelector", "matchLabels", "app.kubernetes.io/name") == app)).Maps("ports").Single().Str("port")!;
        Assert.Equal("5432", PortTo("postgres"));
        Assert.Equal("5432", PortTo("vectorstore"));
        Assert.Equal("6379", PortTo("redis"));
        Assert.Equal("8080", PortTo("auth"));
        foreach (var store in new[] { "postgres", "vectorstore", "redis" })
        {
            Assert.Contains(policies, p => p.Root.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == store && p.Root.Maps("spec", "ingress").Count == 1);
        }
    }

    [GeneratedRegex(@"--from-(?:literal|file)=([A-Za-z_][A-Za-z0-9_]*)=")]
    private static partial Regex SecretKeyRegex();
}
