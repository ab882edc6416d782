using k8s;
using k8s.Models;

namespace Fathom.Deploy.Tests;

/// <summary>Every manifest parses, and every core object fits KubernetesClient's typed models strictly.</summary>
public class ManifestTests
{
    /// <summary>apiVersion/kind → strict deserialization into the KubernetesClient model.</summary>
    public static readonly IReadOnlyDictionary<string, Func<string, object>> CoreModels = new Dictionary<string, Func<string, object>>
    {
        ["v1/Namespace"] = t => KubernetesYaml.Deserialize<V1Namespace>(t, strict: true),
        ["v1/ConfigMap"] = t => KubernetesYaml.Deserialize<V1ConfigMap>(t, strict: true),
        ["v1/Secret"] = t => KubernetesYaml.Deserialize<V1Secret>(t, strict: true),
        ["v1/ServiceAccount"] = t => KubernetesYaml.Deserialize<V1ServiceAccount>(t, strict: true),
        ["v1/Service"] = t => KubernetesYaml.Deserialize<V1Service>(t, strict: true),
        ["apps/v1/Deployment"] = t => KubernetesYaml.Deserialize<V1Deployment>(t, strict: true),
        ["apps/v1/StatefulSet"] = t => KubernetesYaml.Deserialize<V1StatefulSet>(t, strict: true),
        ["batch/v1/Job"] = t => KubernetesYaml.Deserialize<V1Job>(t, strict: true),
        ["networking.k8s.io/v1/Ingress"] = t => KubernetesYaml.Deserialize<V1Ingress>(t, strict: true),
        ["networking.k8s.io/v1/NetworkPolicy"] = t => KubernetesYaml.Deserialize<V1NetworkPolicy>(t, strict: true),
        ["policy/v1/PodDisruptionBudget"] = t => KubernetesYaml.Deserialize<V1PodDisruptionBudget>(t, strict: true),
    };

    [Fact]
    public void Every_yaml_file_parses()
    {
        var files = Repo.ManifestFiles();
        Assert.NotEmpty(files);
        var problems = new List<string>();
        foreach (var file in files)
        {
            try
            {
                foreach (var (doc, i) in Yaml.LoadDocuments(file).Select((d, i) => (d, i)))
                {
                    if (doc.Str("apiVersion") is null || doc.Str("kind") is null)
                    {
                        problems.Add($"{Repo.Relative(file)} document {i}: no apiVersion/kind");
                    }
                    if (!Yaml.IsKustomization(file) && doc.Str("metadata", "name") is null)
                    {
                        problems.Add($"{Repo.Relative(file)} document {i}: no metadata.name");
                    }
                }
            }
            catch (InvalidOperationException e)
            {
                problems.Add(e.Message);
            }
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void Only_known_kinds_are_used()
    {
        var known = CoreModels.Keys.Concat(KedaSchemas.ByType.Keys).ToHashSet();
        var unknown = Yaml.AllObjects().Where(o => !known.Contains($"{o.ApiVersion}/{o.Kind}")).Select(o => o.ToString()).ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void Core_objects_deserialize_strictly_into_typed_models()
    {
        // Base and keda objects, and the overlays' strategic-merge patches (partial objects).
        var objects = Repo.ManifestFiles().Where(f => !Yaml.IsKustomization(f)).SelectMany(Yaml.LoadManifests).ToList();
        var checkedCount = 0;
        var problems = new List<string>();
        foreach (var o in objects)
        {
            if (!CoreModels.TryGetValue($"{o.ApiVersion}/{o.Kind}", out var deserialize))
            {
                continue;
            }
            checkedCount++;
            try
            {
                var model = (IKubernetesObject<V1ObjectMeta>)deserialize(o.Text);
                Assert.Equal(o.Kind, model.Kind);
                Assert.Equal(o.Name, model.Metadata.Name);
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException)
            {
                problems.Add($"{o}: {e.Message} {e.InnerException?.Message}");
            }
        }
        Assert.Empty(problems);
        Assert.True(checkedCount > 40, $"only {checkedCount} core objects found");
    }

    [Fact]
    public void Strict_mode_rejects_unknown_fields()
    {
        // Guards the test above: a misspelt field must not be silently dropped.
        const string typo = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              replica: 1
            """;
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => KubernetesYaml.Deserialize<V1Deployment>(typo, strict: true));
        Assert.NotNull(KubernetesYaml.Deserialize<V1Deployment>(typo.Replace("replica:", "replicas:", StringComparison.Ordinal), strict: true));
    }

    [Fact]
    public void Typed_models_see_the_intended_values()
    {
        // One end-to-end look through the typed model: the Auth Deployment.
        var auth = Yaml.AllObjects().Single(o => o.Kind == "Deployment" && o.Name == "auth");
        var model = KubernetesYaml.Deserialize<V1Deployment>(auth.Text, strict: true);
        var container = Assert.Single(model.Spec.Template.Spec.Containers);
        Assert.Null(model.Spec.Replicas);
        Assert.Equal(8080, container.Ports.Single(p => p.Name == "http").ContainerPort);
        Assert.Equal(1654, container.SecurityContext.RunAsUser);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal("http", container.ReadinessProbe.HttpGet.Port.Value);
        Assert.Contains(container.EnvFrom, e => e.SecretRef?.Name == "fathom-jwt-signing");
        Assert.Equal("256Mi", container.Resources.Limits["memory"].ToString());
    }
}
