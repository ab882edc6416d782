using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Fathom.Deploy.Tests;

/// <summary>Both overlays render (with the test's kustomize subset) and differ where they should.</summary>
public class OverlayTests
{
    private static readonly string[] AppImages = ["auth", "users", "knowledge", "assistants", "ingestion", "posts", "tasks", "maintenance", "web", "cli"];

    private static List<Manifest> Render(string overlay) => Kustomize.Render(Repo.PathOf("k8s", "overlays", overlay));

    /// <summary>What of the rendered objects does not fit the typed Kubernetes models or the documented CRD fields.</summary>
    internal static List<string> SchemaProblems(IEnumerable<Manifest> rendered)
    {
        var problems = new List<string>();
        foreach (var o in rendered)
        {
            if (ManifestTests.CoreModels.TryGetValue($"{o.ApiVersion}/{o.Kind}", out var deserialize))
            {
                try
                {
                    _ = (IKubernetesObject<V1ObjectMeta>)deserialize(o.Text);
                }
                catch (YamlDotNet.Core.YamlException e)
                {
                    problems.Add($"{o}: {e.Message}");
                }
            }
            else
            {
                problems.AddRange(KedaSchemas.Validate(o).Select(e => $"{o}: {e}"));
            }
        }
        return problems;
    }

    private static Manifest One(List<Manifest> objects, string kind, string name) =>
        objects.SingleOrDefault(o => o.Kind == kind && o.Name == name) ?? throw new Xunit.Sdk.XunitException($"missing {kind}/{name}");

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void Overlay_renders_everything(string overlay)
    {
        var rendered = Render(overlay);
        var baseAndKeda = Yaml.AllObjects().Where(o => o.Kind != "Application").ToList();
        Assert.Equal(
            baseAndKeda.Select(o => $"{o.Kind}/{o.Name}").Order(StringComparer.Ordinal),
            rendered.Select(o => $"{o.Kind}/{o.Name}").Order(StringComparer.Ordinal));
        Assert.All(rendered.Where(o => o.Kind != "Namespace"), o => Assert.Equal("fathom", o.Namespace));

        // The rendered result still fits the typed models and the documented CRD fields.
        Assert.Empty(SchemaProblems(rendered));
    }

    [Theory]
    [InlineData("staging", "staging.fathom.example.com", "main", "500m", "2")]
    [InlineData("production", "fathom.example.com", "0.1.0", "2", "10")]
    public void Overlay_sets_host_tags_limits_and_replicas(string overlay, string host, string tag, string appCpuLimit, string maxReplicas)
    {
        var rendered = Render(overlay);

        var ingress = One(rendered, "Ingress", "fathom");
        Assert.Equal(host, ingress.Root.Str("spec", "rules", "0", "host"));
        Assert.Equal([host], ingress.Root.Strs("spec", "tls", "0", "hosts"));
        Assert.All(rendered.Where(o => o.Kind == "InterceptorRoute"), r => Assert.Equal(host, r.Root.Str("spec", "rules", "0", "hosts", "0")));

        var images = rendered.Where(o => o.PodSpec() is not null).SelectMany(o => o.Containers()).Select(c => c.Str("image")!).ToList();
        foreach (var app in AppImages)
        {
            Assert.Contains($"fathom/{app}:{tag}", images);
        }
        Assert.DoesNotContain(images, i => i.StartsWith("fathom/", StringComparison.Ordinal) && !i.EndsWith(":" + tag, StringComparison.Ordinal));

        foreach (var d in rendered.Where(o => o.Kind == "Deployment"))
        {
            Assert.Equal(appCpuLimit, d.Containers().Single().Str("resources", "limits", "cpu"));
        }
        foreach (var s in rendered.Where(o => o.Kind == "ScaledObject"))
        {
            Assert.Equal(s.Name == "maintenance" ? "1" : maxReplicas, s.Root.Str("spec", "maxReplicaCount"));
            Assert.Equal("0", s.Root.Str("spec", "minReplicaCount"));
        }
    }

    [Fact]
    public void Overlays_differ_in_limits_of_the_stateful_parts()
    {
        string Memory(string overlay) => One(Render(overlay), "StatefulSet", "postgres").Containers().Single().Str("resources", "limits", "memory")!;
        Assert.Equal("1Gi", Memory("staging"));
        Assert.Equal("4Gi", Memory("production"));
        Assert.Equal("Debug", One(Render("staging"), "ConfigMap", "fathom-host").Root.Str("data", "Logging__LogLevel__Default"));
    }

    /// <summary>
    /// Where kubectl is installed (it is on this machine, not necessarily on CI), the test renderer
    /// must agree with real kustomize object for object; without kubectl there is nothing to compare.
    /// </summary>
    [Theory]
    [InlineData("k8s/base")]
    [InlineData("keda")]
    [InlineData("k8s/overlays/staging")]
    [InlineData("k8s/overlays/production")]
    [InlineData("k8s/overlays/azure")]
    [InlineData("k8s/overlays/mesh")]
    public async Task Renderer_agrees_with_kubectl_kustomize(string dir)
    {
        var kubectl = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(p => Path.Combine(p, "kubectl")).FirstOrDefault(File.Exists);
        if (kubectl is null)
        {
            return;
        }
        var psi = new ProcessStartInfo(kubectl, ["kustomize", Repo.PathOf(dir)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {dir}: {stderr}");

        var theirs = Yaml.Parse(await stdout, "kubectl kustomize").Select((d, i) => new Manifest("kubectl", i, d)).ToDictionary(o => $"{o.Kind}/{o.Name}");
        var ours = Kustomize.Render(Repo.PathOf(dir)).ToDictionary(o => $"{o.Kind}/{o.Name}");
        Assert.Equal(theirs.Keys.Order(StringComparer.Ordinal), ours.Keys.Order(StringComparer.Ordinal));
        var differences = new List<string>();
        foreach (var (key, o) in ours)
        {
            Yaml.Diff(theirs[key].Root, o.Root, key, differences);
        }
        Assert.Empty(differences);
    }

    [Fact]
    public void Argo_apps_point_at_the_overlays_with_automated_prune_and_self_heal()
    {
        var root = Yaml.LoadManifests(Repo.PathOf("k8s", "argocd", "root.yaml")).Single();
        Assert.Equal("k8s/argocd/apps", root.Root.Str("spec", "source", "path"));
        var apps = Directory.EnumerateFiles(Repo.PathOf("k8s", "argocd", "apps"), "*.yaml").SelectMany(Yaml.LoadManifests).ToList();
        Assert.Equal(["fathom-production", "fathom-staging"], apps.Select(a => a.Name).Order(StringComparer.Ordinal));
        foreach (var app in apps.Append(root))
        {
            Assert.Equal("Application", app.Kind);
            Assert.Equal("https://git.example.com/fathom/fathom.git", app.Root.Str("spec", "source", "repoURL"));
            Assert.Equal("true", app.Root.Str("spec", "syncPolicy", "automated", "prune"));
            Assert.Equal("true", app.Root.Str("spec", "syncPolicy", "automated", "selfHeal"));
            Assert.True(Directory.Exists(Repo.PathOf(app.Root.Str("spec", "source", "path")!.Split('/'))), $"{app}: source path does not exist");
        }
        foreach (var app in apps)
        {
            var env = app.Name["fathom-".Length..];
            Assert.Equal($"k8s/overlays/{env}", app.Root.Str("spec", "source", "path"));
            Assert.Equal("fathom", app.Root.Str("spec", "destination", "namespace"));
            Assert.Contains(app.Root.Maps("spec", "ignoreDifferences"), d => d.Str("kind") == "Deployment" && d.Strs("jsonPointers").Contains("/spec/replicas"));
        }
    }
}
