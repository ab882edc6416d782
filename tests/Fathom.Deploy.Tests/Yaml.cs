using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fathom.Deploy.Tests;

/// <summary>One Kubernetes object (one YAML document) and where it came from.</summary>
public sealed record Manifest(string File, int Index, YamlMappingNode Root)
{
    public string Kind => Root.Str("kind") ?? "";

    public string ApiVersion => Root.Str("apiVersion") ?? "";

    /// <summary>API group: "" for core (apiVersion v1), else the part before the slash.</summary>
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";

    public string Name => Root.Str("metadata", "name") ?? "";

    public string? Namespace => Root.Str("metadata", "namespace");

    public string Text => Yaml.ToText(Root);

    public string Label(string key) => Root.Str("metadata", "labels", key) ?? "";

    public override string ToString() => $"{Kind}/{Name} ({Repo.Relative(File)} document {Index})";
}

public static partial class Yaml
{
    /// <summary>Every document of a YAML file; each must be a mapping.</summary>
    public static List<YamlMappingNode> LoadDocuments(string path) => Parse(File.ReadAllText(path), path);

    public static List<YamlMappingNode> Parse(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InvalidOperationException($"{source}: {e.Message}", e);
        }
        var docs = new List<YamlMappingNode>();
        foreach (var doc in stream.Documents)
        {
            docs.Add(doc.RootNode as YamlMappingNode
                ?? throw new InvalidOperationException($"{source}: a document is not a mapping but {doc.RootNode.NodeType}"));
        }
        return docs;
    }

    public static List<Manifest> LoadManifests(string path) =>
        LoadDocuments(path).Select((d, i) => new Manifest(path, i, d)).ToList();

    /// <summary>
    /// All Kubernetes objects under k8s/ and keda/ (kustomization files, patch files and the objects an overlay adds
    /// of its own excluded: those are checked in the rendered overlay).
    /// </summary>
    public static List<Manifest> AllObjects() =>
        Repo.ManifestFiles()
            .Where(f => !IsKustomization(f) && !IsPatch(f) && !IsOverlayResource(f))
            .SelectMany(LoadManifests)
            .ToList();

    /// <summary>An object an overlay adds (k8s/overlays/azure's ServiceAccounts, say), not one of the base.</summary>
    public static bool IsOverlayResource(string file) => file.Replace('\\', '/').Contains("/k8s/overlays/", StringComparison.Ordinal);

    public static bool IsKustomization(string file) => Path.GetFileName(file) == "kustomization.yaml";

    /// <summary>Strategic-merge patch files of the overlays (partial objects).</summary>
    public static bool IsPatch(string file) => file.Replace('\\', '/').Contains("/patches/", StringComparison.Ordinal);

    public static string ToText(YamlNode root)
    {
        var stream = new YamlStream(new YamlDocument(root));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    // ----- navigation -----------------------------------------------------------------

    public static YamlNode? At(this YamlNode? node, params string[] path)
    {
        foreach (var segment in path)
        {
            node = node switch
            {
                YamlMappingNode map => map.Children.TryGetValue(new YamlScalarNode(segment), out var child) ? child : null,
                YamlSequenceNode seq when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < seq.Children.Count => seq.Children[i],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }
        return node;
    }

    public static string? Str(this YamlNode? node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static YamlMappingNode? Map(this YamlNode? node, params string[] path) => node.At(path) as YamlMappingNode;

    public static IReadOnlyList<YamlNode> Seq(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlSequenceNode seq ? seq.Children.ToList() : [];

    public static IReadOnlyList<YamlMappingNode> Maps(this YamlNode? node, params string[] path) =>
        node.Seq(path).OfType<YamlMappingNode>().ToList();

    public static IReadOnlyList<string> Strs(this YamlNode? node, params string[] path) =>
        node.Seq(path).OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList();

    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlMappingNode? map) =>
        map is null ? [] : map.Children.Select(kv => (((YamlScalarNode)kv.Key).Value ?? "", kv.Value));

    public static IReadOnlyDictionary<string, string> StrMap(this YamlNode? node, params string[] path) =>
        node.Map(path).Entries().ToDictionary(e => e.Key, e => (e.Value as YamlScalarNode)?.Value ?? "");

    // ----- scalar types (YAML 1.2 core schema, as the API server reads them) -------------

    public static bool IsQuoted(this YamlScalarNode s) => s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded;

    public static bool IsInt(this YamlScalarNode s) => !s.IsQuoted() && IntRegex().IsMatch(s.Value ?? "");

    public static bool IsBool(this YamlScalarNode s) => !s.IsQuoted() && s.Value is "true" or "false";

    public static bool IsNull(this YamlScalarNode s) => !s.IsQuoted() && s.Value is "" or "~" or "null" or "Null" or "NULL";

    /// <summary>A scalar the API server reads as a string (quoted, or plain but not a number, bool or null).</summary>
    public static bool IsString(this YamlScalarNode s) =>
        s.IsQuoted() || !(s.IsInt() || s.IsBool() || s.IsNull() || FloatRegex().IsMatch(s.Value ?? ""));

    // ----- copying and comparing ---------------------------------------------------------

    public static YamlNode Clone(YamlNode node) => node switch
    {
        YamlScalarNode s => new YamlScalarNode(s.Value) { Style = s.Style },
        YamlSequenceNode q => new YamlSequenceNode(q.Children.Select(Clone)),
        YamlMappingNode m => new YamlMappingNode(m.Children.Select(kv => new KeyValuePair<YamlNode, YamlNode>(Clone(kv.Key), Clone(kv.Value)))),
        _ => throw new NotSupportedException(node.NodeType.ToString()),
    };

    /// <summary>Structural equality on values (quoting style ignored); the differences, by path.</summary>
    public static void Diff(YamlNode? a, YamlNode? b, string path, List<string> differences)
    {
        switch (a, b)
        {
            case (YamlScalarNode x, YamlScalarNode y):
                if (!string.Equals(Normal(x), Normal(y), StringComparison.Ordinal))
                {
                    differences.Add($"{path}: '{x.Value}' vs '{y.Value}'");
                }
                break;
            case (YamlSequenceNode x, YamlSequenceNode y):
                if (x.Children.Count != y.Children.Count)
                {
                    differences.Add($"{path}: {x.Children.Count} vs {y.Children.Count} items");
                    break;
                }
                for (var i = 0; i < x.Children.Count; i++)
                {
                    Diff(x.Children[i], y.Children[i], $"{path}[{i}]", differences);
                }
                break;
            case (YamlMappingNode x, YamlMappingNode y):
                var keys = x.Entries().Select(e => e.Key).Union(y.Entries().Select(e => e.Key), StringComparer.Ordinal);
                foreach (var key in keys)
                {
                    Diff(x.At(key), y.At(key), $"{path}.{key}", differences);
                }
                break;
            case (null, null):
                break;
            default:
                differences.Add($"{path}: {a?.NodeType.ToString() ?? "missing"} vs {b?.NodeType.ToString() ?? "missing"}");
                break;
        }
    }

    private static string Normal(YamlScalarNode s) => s.IsNull() ? "" : s.Value ?? "";

    // ----- workloads ---------------------------------------------------------------------

    /// <summary>The pod spec of a workload object (Deployment, StatefulSet, Job, DaemonSet, CronJob, Pod).</summary>
    public static YamlMappingNode? PodSpec(this Manifest m) => m.Kind switch
    {
        "Deployment" or "StatefulSet" or "Job" or "DaemonSet" or "ReplicaSet" => m.Root.Map("spec", "template", "spec"),
        "CronJob" => m.Root.Map("spec", "jobTemplate", "spec", "template", "spec"),
        "Pod" => m.Root.Map("spec"),
        _ => null,
    };

    public static IReadOnlyList<YamlMappingNode> Containers(this Manifest m) =>
        [.. m.PodSpec().Maps("containers"), .. m.PodSpec().Maps("initContainers")];

    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9]*|0o[0-7]+|0x[0-9a-fA-F]+)$")]
    private static partial Regex IntRegex();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")]
    private static partial Regex FloatRegex();
}
