using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Fathom.Deploy.Tests;

/// <summary>No secret values in the tree; every pod non-root with limits; default-deny networking.</summary>
public partial class SecurityTests
{
    /// <summary>Base + keda objects and every rendered overlay: what could reach a cluster.</summary>
    public static IEnumerable<(string Source, List<Manifest> Objects)> Trees() =>
    [
        ("k8s/ + keda/", Yaml.AllObjects()),
        ("overlay staging", Kustomize.Render(Repo.PathOf("k8s", "overlays", "staging"))),
        ("overlay production", Kustomize.Render(Repo.PathOf("k8s", "overlays", "production"))),
        ("overlay azure", Kustomize.Render(Repo.PathOf("k8s", "overlays", "azure"))),
        ("overlay mesh", Kustomize.Render(Repo.PathOf("k8s", "overlays", "mesh"))),
    ];

    [Fact]
    public void No_secret_in_the_tree_has_values()
    {
        var withValues = new List<string>();
        foreach (var file in Repo.ManifestFiles())
        {
            foreach (var o in Yaml.LoadManifests(file).Where(o => o.Kind == "Secret"))
            {
                foreach (var field in new[] { "data", "stringData" })
                {
                    if (o.Root.At(field) is YamlMappingNode { Children.Count: > 0 })
                    {
                        withValues.Add($"{o}: {field}");
                    }
                }
            }
            // Also catch a Secret hidden in a block scalar or a patch.
            var text = File.ReadAllText(file);
            if (SecretWithDataRegex().IsMatch(text) && !Yaml.LoadManifests(file).Any(o => o.Kind == "Secret"))
            {
                withValues.Add($"{Repo.Relative(file)}: Secret-like text with data");
            }
        }
        Assert.Empty(withValues);
    }

    [Fact]
    public void No_private_key_or_connection_password_in_the_tree()
    {
        var files = Repo.ManifestFiles().Concat(Directory.EnumerateFiles(Repo.PathOf("k8s"), "*.md", SearchOption.AllDirectories));
        var leaks = files.Where(f => LeakRegex().IsMatch(File.ReadAllText(f))).Select(Repo.Relative).ToList();
        Assert.Empty(leaks);
    }

    [Fact]
    public void Every_container_runs_as_non_root_with_limits()
    {
        var problems = new List<string>();
        var count = 0;
        foreach (var (source, objects) in Trees())
        {
            foreach (var o in objects.Where(o => o.PodSpec() is not null))
            {
                var pod = o.PodSpec()!;
                if (pod.Str("securityContext", "seccompProfile", "type") != "RuntimeDefault")
                {
                    problems.Add($"{source} {o}: pod seccompProfile RuntimeDefault");
                }
                if (pod.Str("automountServiceAccountToken") != "false")
                {
                    problems.Add($"{source} {o}: automountServiceAccountToken false");
                }
                foreach (var c in o.Containers())
                {
                    count++;
                    var who = $"{source} {o} container {c.Str("name")}";
                    string? Sec(params string[] path) => c.Str(["securityContext", .. path]) ?? pod.Str(["securityContext", .. path]);
                    void Expect(bool ok, string what)
                    {
                        if (!ok)
                        {
                            problems.Add($"{who}: {what}");
                        }
                    }
                    Expect(Sec("runAsNonRoot") == "true", "runAsNonRoot true");
                    Expect(Sec("runAsUser") is { } uid && uid != "0", "runAsUser not 0");
                    Expect(c.Str("securityContext", "allowPrivilegeEscalation") == "false", "allowPrivilegeEscalation false");
                    Expect(c.Str("securityContext", "readOnlyRootFilesystem") == "true", "readOnlyRootFilesystem true");
                    Expect(c.Strs("securityContext", "capabilities", "drop").SequenceEqual(["ALL"]), "capabilities drop ALL");
                    Expect(c.At("securityContext", "capabilities", "add") is null, "no added capabilities");
                    Expect(Sec("seccompProfile", "type") == "RuntimeDefault", "seccompProfile RuntimeDefault");
                    Expect(c.Str("securityContext", "privileged") is null or "false", "not privileged");
                    Expect(c.Str("resources", "limits", "cpu") is not null && c.Str("resources", "limits", "memory") is not null, "cpu and memory limits");
                    Expect(c.Str("resources", "requests", "cpu") is not null && c.Str("resources", "requests", "memory") is not null, "cpu and memory requests");
                }
            }
        }
        Assert.Empty(problems);
        Assert.True(count >= 3 * 12, $"only {count} containers checked");
    }

    [Fact]
    public void Function_apps_run_as_the_app_user_with_a_writable_tmp()
    {
        foreach (var o in Yaml.AllObjects().Where(o => o.PodSpec() is not null && o.Containers().Any(c => (c.Str("image") ?? "").StartsWith("fathom/", StringComparison.Ordinal))))
        {
            var c = o.Containers().Single();
            Assert.Equal("1654", c.Str("securityContext", "runAsUser"));
            Assert.Equal("1654", o.PodSpec().Str("securityContext", "runAsUser"));
            var tmp = c.Maps("volumeMounts").Single(m => m.Str("mountPath") == "/tmp");
            var volume = o.PodSpec().Maps("volumes").Single(v => v.Str("name") == tmp.Str("name"));
            Assert.NotNull(volume.At("emptyDir"));
        }
    }

    [Fact]
    public void Every_namespace_with_workloads_has_default_deny()
    {
        foreach (var (source, objects) in Trees())
        {
            var namespaces = objects.Where(o => o.PodSpec() is not null).Select(o => o.Namespace ?? "fathom").Distinct().ToList();
            Assert.NotEmpty(namespaces);
            foreach (var ns in namespaces)
            {
                var denies = objects.Where(o => o.Kind == "NetworkPolicy" && (o.Namespace ?? "fathom") == ns
                    && o.Root.Map("spec", "podSelector") is { Children.Count: 0 }
                    && o.Root.Strs("spec", "policyTypes").Order(StringComparer.Ordinal).SequenceEqual(["Egress", "Ingress"])
                    && o.Root.At("spec", "ingress") is null && o.Root.At("spec", "egress") is null);
                Assert.True(denies.Any(), $"{source}: namespace {ns} has no default-deny NetworkPolicy (empty podSelector, Ingress+Egress, no rules)");
            }
            Assert.Contains(objects, o => o.Kind == "Namespace" && o.Name == "fathom" && o.Label("pod-security.kubernetes.io/enforce") == "restricted");
        }
    }

    [GeneratedRegex(@"kind:\s*Secret[\s\S]*?\n(data|stringData):\s*\n\s+\S")]
    private static partial Regex SecretWithDataRegex();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----|Password=(?!\$|<|\.\.\.)[^;""\s]+")]
    private static partial Regex LeakRegex();
}
