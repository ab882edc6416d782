namespace Fathom.Deploy.Tests;

/// <summary>
/// The two optional overlays: <c>azure</c> (passwordless, workload identity) and <c>mesh</c> (Linkerd mTLS). Both render
/// with the test's kustomize subset (and agree with kubectl kustomize, in OverlayTests), keep every base object and
/// the NetworkPolicies, and add what they promise.
/// </summary>
public class AzureAndMeshOverlayTests
{
    private const string ClientIdAnnotation = "azure.workload.identity/client-id";
    private const string UseLabel = "azure.workload.identity/use";

    private static List<Manifest> Render(string overlay) => Kustomize.Render(Repo.PathOf("k8s", "overlays", overlay));

    private static IEnumerable<Manifest> PodTemplates(List<Manifest> objects) => objects.Where(o => o.PodSpec() is not null);

    [Theory]
    [InlineData("azure")]
    [InlineData("mesh")]
    public void Overlay_keeps_every_base_object_and_the_NetworkPolicies_and_fits_the_models(string overlay)
    {
        var rendered = Render(overlay);
        var names = rendered.Select(o => $"{o.Kind}/{o.Name}").ToHashSet();
        foreach (var expected in Yaml.AllObjects().Where(o => o.Kind != "Application").Select(o => $"{o.Kind}/{o.Name}"))
        {
            Assert.Contains(expected, names);
        }
        Assert.Contains("NetworkPolicy/default-deny-all", names);
        Assert.True(rendered.Count(o => o.Kind == "NetworkPolicy") >= Yaml.AllObjects().Count(o => o.Kind == "NetworkPolicy"));
        Assert.All(rendered.Where(o => o.Kind != "Namespace"), o => Assert.Equal("fathom", o.Namespace));

        Assert.Empty(OverlayTests.SchemaProblems(rendered));
    }

    [Fact]
    public void Azure_runs_every_pod_as_a_workload_identity_service_account()
    {
        var rendered = Render("azure");
        var accounts = rendered.Where(o => o.Kind == "ServiceAccount").ToDictionary(o => o.Name);
        var pods = PodTemplates(rendered).Where(o => o.Kind is "Deployment" or "Job").ToList();
        Assert.Equal(10, pods.Count); // nine apps and the migration Job
        foreach (var pod in pods)
        {
            var account = pod.Root.Str("spec", "template", "spec", "serviceAccountName");
            Assert.True(account is not null && accounts.ContainsKey(account), $"{pod}: no ServiceAccount of its own ({account})");
            Assert.Matches("^[0-9a-f-]{36}$", accounts[account!].Root.Str("metadata", "annotations", ClientIdAnnotation) ?? "");
            Assert.Equal("true", pod.Root.Str("spec", "template", "metadata", "labels", UseLabel));
        }
    }

    [Fact]
    public void Azure_runs_the_image_flavour_built_with_Azure_sign_in_and_the_other_overlays_the_plain_one()
    {
        // A plain image stops at start with AzureIdentity__Enabled=true (it leaves DefaultAzureCredential out), so the
        // overlay that switches it on must run the -azure images (scripts/images.sh --azure), and only that overlay.
        static IEnumerable<string> Images(string overlay) => PodTemplates(Render(overlay))
            .Where(o => o.Kind is "Deployment" or "Job").Select(o => o.Containers().Single().Str("image") ?? $"{o}: no image");

        Assert.All(Images("azure"), image => Assert.Matches("^fathom/[a-z]+:[^:]+-azure$", image));
        foreach (var overlay in new[] { "staging", "production", "mesh" })
        {
            Assert.All(Images(overlay), image => Assert.DoesNotMatch("-azure$", image));
        }
    }

    [Fact]
    public void Azure_has_no_password_secrets_only_passwordless_settings()
    {
        var rendered = Render("azure");
        Assert.DoesNotContain(rendered, o => o.Kind == "Secret");

        var settings = rendered.Single(o => o.Kind == "ConfigMap" && o.Name == "fathom-azure");
        Assert.Equal("true", settings.Root.Str("data", "AzureIdentity__Enabled"));
        Assert.Matches("^[0-9a-f-]{36}$", settings.Root.Str("data", "AzureIdentity__RedisUserName") ?? "");
        foreach (var key in new[] { "PostgresConnection", "VectorStoreConnection", "RedisConnection" })
        {
            var value = settings.Root.Str("data", key) ?? throw new Xunit.Sdk.XunitException($"fathom-azure has no {key}");
            Assert.DoesNotMatch("(?i)(password|pwd|psw)=", value);
        }

        // No pod reads a password-bearing Secret; each reads the passwordless settings.
        foreach (var pod in PodTemplates(rendered).Where(o => o.Kind is "Deployment" or "Job"))
        {
            var container = pod.Containers().Single();
            var secretRefs = container.Maps("env").Select(e => e.Str("valueFrom", "secretKeyRef", "name")).OfType<string>();
            Assert.DoesNotContain(secretRefs, s => s is "fathom-db" or "fathom-redis");
            Assert.Contains(container.Maps("envFrom"), e => e.Str("configMapRef", "name") == "fathom-azure");
            Assert.DoesNotContain(container.Maps("env"), e => e.Str("name") is "PostgresConnection" or "VectorStoreConnection" or "RedisConnection");
        }
    }

    [Fact]
    public void Azure_removes_exactly_the_three_connection_variables_and_keeps_the_rest()
    {
        string[] removed = ["PostgresConnection", "VectorStoreConnection", "RedisConnection"];
        var production = Render("production").Where(o => o.Kind == "Deployment").ToDictionary(o => o.Name);
        foreach (var deployment in Render("azure").Where(o => o.Kind == "Deployment"))
        {
            static IEnumerable<string> Names(Manifest m) => m.Containers().Single().Maps("env").Select(e => e.Str("name")!);
            Assert.Equal(Names(production[deployment.Name]).Except(removed), Names(deployment));
        }
    }

    [Fact]
    public void Azure_scaler_authentication_is_what_keda_supports()
    {
        var rendered = Render("azure");
        // KEDA's redis-streams scaler takes username/password (and TLS) only: no podIdentity. Its Secret is KEDA's own.
        var redis = rendered.Single(o => o.Kind == "TriggerAuthentication" && o.Name == "fathom-redis-auth");
        Assert.Null(redis.Root.At("spec", "podIdentity"));
        Assert.All(redis.Root.Maps("spec", "secretTargetRef"), r => Assert.Equal("fathom-keda-redis", r.Str("name")));
        var ingestion = rendered.Single(o => o.Kind == "ScaledObject" && o.Name == "ingestion");
        Assert.Equal("true", ingestion.Root.Str("spec", "triggers", "0", "metadata", "enableTLS"));
        Assert.EndsWith(":6380", ingestion.Root.Str("spec", "triggers", "0", "metadata", "address"), StringComparison.Ordinal);
    }

    [Fact]
    public void Mesh_puts_every_pod_in_Linkerd_with_strict_inbound_policy()
    {
        var rendered = Render("mesh");
        var ns = rendered.Single(o => o.Kind == "Namespace");
        Assert.Equal("enabled", ns.Root.Str("metadata", "annotations", "linkerd.io/inject"));
        Assert.Equal("all-authenticated", ns.Root.Str("metadata", "annotations", "config.linkerd.io/default-inbound-policy"));
        var pods = PodTemplates(rendered).ToList();
        Assert.Equal(13, pods.Count); // nine apps, three StatefulSets, the migration Job
        foreach (var pod in pods)
        {
            Assert.Equal("enabled", pod.Root.Str("spec", "template", "metadata", "annotations", "linkerd.io/inject"));
            Assert.Equal("all-authenticated", pod.Root.Str("spec", "template", "metadata", "annotations", "config.linkerd.io/default-inbound-policy"));
        }
        var job = pods.Single(o => o.Kind == "Job");
        Assert.Equal("true", job.Root.Str("spec", "template", "metadata", "annotations", "config.alpha.linkerd.io/proxy-enable-native-sidecar"));
    }

    [Fact]
    public void Mesh_lets_proxies_reach_the_control_plane_through_the_default_deny()
    {
        var policy = Render("mesh").Single(o => o.Kind == "NetworkPolicy" && o.Name == "allow-linkerd-control-plane-egress");
        Assert.Equal("linkerd", policy.Root.Str("spec", "egress", "0", "to", "0", "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
        Assert.Equal(["8080", "8086", "8090"], policy.Root.Maps("spec", "egress", "0", "ports").Select(p => p.Str("port")!).Order(StringComparer.Ordinal));
    }
}
