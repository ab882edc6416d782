using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Fathom.Deploy.Tests;

/// <summary>
/// The subset of kustomize the repo's kustomizations use, so the overlays render in tests
/// without kubectl: <c>resources</c> (files and directories, recursively), <c>namespace</c>,
/// <c>images</c> (newName/newTag/digest), and <c>patches</c> given by <c>path</c> or inline
/// <c>patch</c>: a YAML list is a JSON6902 patch (add/replace/remove) applied to every object
/// its <c>target</c> selects (group, version, kind, name, namespace, labelSelector with
/// <c>=</c>, <c>==</c>, <c>!=</c>); a mapping is a strategic-merge patch applied to the object
/// of the same kind and name (maps merge, lists of named maps merge by <c>name</c>, other lists
/// are replaced). Anything else in a kustomization makes the render fail rather than be ignored.
/// </summary>
public static class Kustomize
{
    private static readonly HashSet<string> Supported = ["apiVersion", "kind", "namespace", "resources", "images", "patches"];

    private static readonly HashSet<string> ClusterScoped =
        ["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass"];

    private static readonly HashSet<string> PodKinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];

    public static List<Manifest> Render(string dir)
    {
        var file = Path.Combine(dir, "kustomization.yaml");
        var k = Yaml.LoadDocuments(file).Single();
        var unknown = k.Entries().Select(e => e.Key).Where(key => !Supported.Contains(key)).ToList();
        if (unknown.Count > 0)
        {
            throw new NotSupportedException($"{Repo.Relative(file)}: the test renderer does not support {string.Join(", ", unknown)}");
        }

        var objects = new List<Manifest>();
        foreach (var resource in k.Strs("resources"))
        {
            var path = Path.GetFullPath(Path.Combine(dir, resource));
            objects.AddRange(Directory.Exists(path) ? Render(path) : Yaml.LoadManifests(path));
        }

        foreach (var patch in k.Maps("patches"))
        {
            ApplyPatch(dir, patch, objects);
        }

        foreach (var image in k.Maps("images"))
        {
            SetImages(image, objects);
        }

        if (k.Str("namespace") is { Length: > 0 } ns)
        {
            foreach (var o in objects.Where(o => !ClusterScoped.Contains(o.Kind)))
            {
                var metadata = o.Root.Map("metadata") ?? throw new InvalidOperationException($"{o}: no metadata");
                metadata.Children[new YamlScalarNode("namespace")] = new YamlScalarNode(ns);
            }
        }

        var duplicates = objects.GroupBy(o => (o.Group, o.Kind, o.Namespace, o.Name)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new InvalidOperationException($"{Repo.Relative(dir)}: duplicate objects {string.Join(", ", duplicates)}");
        }
        return objects;
    }

    // ----- patches ---------------------------------------------------------------------

    private static void ApplyPatch(string dir, YamlMappingNode patch, List<Manifest> objects)
    {
        var text = patch.Str("path") is { } path
            ? File.ReadAllText(Path.Combine(dir, path))
            : patch.Str("patch") ?? throw new InvalidOperationException("a patch needs path or patch");
        var source = patch.Str("path") ?? "inline patch";
        var target = patch.Map("target");

        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlSequenceNode ops)
        {
            if (target is null)
            {
                throw new InvalidOperationException($"{source}: a JSON6902 patch needs a target");
            }
            var selected = objects.Where(o => Selects(target, o)).ToList();
            if (selected.Count == 0)
            {
                throw new InvalidOperationException($"{source}: target selects no object");
            }
            foreach (var o in selected)
            {
                foreach (var op in ops.Children.OfType<YamlMappingNode>())
                {
                    JsonPatch(o, op);
                }
            }
            return;
        }

        foreach (var doc in stream.Documents.Select(d => (YamlMappingNode)d.RootNode))
        {
            var probe = new Manifest(source, 0, doc);
            var matches = objects.Where(o => o.Kind == probe.Kind && o.Name == probe.Name && (target is null || Selects(target, o))).ToList();
            if (matches.Count != 1)
            {
                throw new InvalidOperationException($"{source}: strategic-merge patch {probe.Kind}/{probe.Name} matches {matches.Count} objects");
            }
            Merge(matches[0].Root, doc);
        }
    }

    private static bool Selects(YamlMappingNode target, Manifest o)
    {
        bool Is(string key, string actual) => target.Str(key) is not { } wanted || wanted == actual;
        var version = o.ApiVersion.Contains('/', StringComparison.Ordinal) ? o.ApiVersion[(o.ApiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..] : o.ApiVersion;
        if (!Is("group", o.Group) || !Is("version", version) || !Is("kind", o.Kind) || !Is("name", o.Name) || !Is("namespace", o.Namespace ?? ""))
        {
            return false;
        }
        if (target.Str("annotationSelector") is not null)
        {
            throw new NotSupportedException("annotationSelector");
        }
        foreach (var term in (target.Str("labelSelector") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var notEqual = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(notEqual ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (parts.Length != 2)
            {
                throw new NotSupportedException($"labelSelector term '{term}'");
            }
            var has = o.Root.Str("metadata", "labels", parts[0].Trim()) == parts[1].Trim();
            if (has == notEqual)
            {
                return false;
            }
        }
        return true;
    }

    private static void JsonPatch(Manifest o, YamlMappingNode op)
    {
        var kind = op.Str("op");
        var pointer = op.Str("path") ?? throw new InvalidOperationException("op without path");
        var segments = pointer.Split('/').Skip(1).Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        var parent = o.Root.At(segments[..^1]) ?? throw new InvalidOperationException($"{o}: {pointer}: parent does not exist");
        var last = segments[^1];
        var value = op.At("value") is { } v ? Yaml.Clone(v) : null;
        switch (kind, parent)
        {
            case ("replace", YamlMappingNode map):
                if (!map.Children.ContainsKey(new YamlScalarNode(last)))
                {
                    throw new InvalidOperationException($"{o}: replace {pointer}: no such member");
                }
                map.Children[new YamlScalarNode(last)] = value!;
                break;
            case ("add", YamlMappingNode map):
                map.Children[new YamlScalarNode(last)] = value!;
                break;
            case ("remove", YamlMappingNode map):
                if (!map.Children.Remove(new YamlScalarNode(last)))
                {
                    throw new InvalidOperationException($"{o}: remove {pointer}: no such member");
                }
                break;
            case ("replace", YamlSequenceNode seq):
                seq.Children[Index(seq, last, o, pointer)] = value!;
                break;
            case ("add", YamlSequenceNode seq):
                if (last == "-")
                {
                    seq.Children.Add(value!);
                }
                else
                {
                    seq.Children.Insert(int.Parse(last, CultureInfo.InvariantCulture), value!);
                }
                break;
            case ("remove", YamlSequenceNode seq):
                seq.Children.RemoveAt(Index(seq, last, o, pointer));
                break;
            default:
                throw new NotSupportedException($"{o}: op '{kind}' on {parent.NodeType} at {pointer}");
        }
    }

    private static int Index(YamlSequenceNode seq, string segment, Manifest o, string pointer) =>
        int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < seq.Children.Count
            ? i
            : throw new InvalidOperationException($"{o}: {pointer}: index out of range");

    /// <summary>Strategic merge, simplified: see the class summary.</summary>
    private static void Merge(YamlMappingNode into, YamlMappingNode patch)
    {
        foreach (var (key, value) in patch.Entries())
        {
            var k = new YamlScalarNode(key);
            if (!into.Children.TryGetValue(k, out var existing))
            {
                into.Children[k] = Yaml.Clone(value);
                continue;
            }
            switch (existing, value)
            {
                case (YamlMappingNode a, YamlMappingNode b):
                    Merge(a, b);
                    break;
                case (YamlSequenceNode a, YamlSequenceNode b) when IsNamedList(a) && IsNamedList(b):
                    foreach (var item in b.Children.Cast<YamlMappingNode>())
                    {
                        var match = a.Children.Cast<YamlMappingNode>().FirstOrDefault(x => x.Str("name") == item.Str("name"));
                        if (match is null)
                        {
                            a.Children.Add(Yaml.Clone(item));
                        }
                        else
                        {
                            Merge(match, item);
                        }
                    }
                    break;
                default:
                    into.Children[k] = Yaml.Clone(value);
                    break;
            }
        }
    }

    private static bool IsNamedList(YamlSequenceNode seq) =>
        seq.Children.Count > 0 && seq.Children.All(c => c is YamlMappingNode m && m.Str("name") is not null);

    // ----- images ----------------------------------------------------------------------

    private static void SetImages(YamlMappingNode image, List<Manifest> objects)
    {
        var name = image.Str("name") ?? throw new InvalidOperationException("images entry without name");
        foreach (var container in objects.Where(o => PodKinds.Contains(o.Kind)).SelectMany(o => o.Containers()))
        {
            var current = container.Str("image") ?? "";
            var (repo, tag, digest) = SplitImage(current);
            if (repo != name)
            {
                continue;
            }
            repo = image.Str("newName") ?? repo;
            string updated;
            if (image.Str("digest") is { } d)
            {
                updated = $"{repo}@{d}";
            }
            else if (image.Str("newTag") is { } t)
            {
                updated = $"{repo}:{t}";
            }
            else
            {
                updated = repo + (digest is not null ? "@" + digest : tag is not null ? ":" + tag : "");
            }
            container.Children[new YamlScalarNode("image")] = new YamlScalarNode(updated);
        }
    }

    /// <summary>repository, tag, digest of an image reference (a registry port is not a tag).</summary>
    public static (string Repository, string? Tag, string? Digest) SplitImage(string image)
    {
        string? digest = null;
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = image[(at + 1)..];
            image = image[..at];
        }
        var colon = image.LastIndexOf(':');
        if (colon > image.LastIndexOf('/'))
        {
            return (image[..colon], image[(colon + 1)..], digest);
        }
        return (image, null, digest);
    }
}
