using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Fathom.Deploy.Tests;

/// <summary>
/// A small structural schema for custom resources the KubernetesClient has no model for:
/// every field must be listed (with its type), required fields must be present.
/// </summary>
public abstract partial record Schema
{
    public abstract void Check(YamlNode? node, string path, List<string> errors);

    protected static void Expect(bool ok, List<string> errors, string path, string what)
    {
        if (!ok)
        {
            errors.Add($"{path}: expected {what}");
        }
    }

    public static Schema Text { get; } = new ScalarSchema("a string", s => s.IsString());

    public static Schema Whole { get; } = new ScalarSchema("an integer", s => s.IsInt());

    public static Schema Flag { get; } = new ScalarSchema("a boolean", s => s.IsBool());

    /// <summary>A Go duration string (metav1.Duration), e.g. "60s", "1m30s".</summary>
    public static Schema Duration { get; } = new ScalarSchema("a duration like 60s", s => s.IsString() && DurationRegex().IsMatch(s.Value ?? ""));

    /// <summary>Any value (a nested structure the docs hand through, e.g. HPA behavior).</summary>
    public static Schema Any { get; } = new AnySchema();

    public static Schema OneOf(params string[] values) => new ScalarSchema("one of " + string.Join(", ", values), s => s.IsString() && values.Contains(s.Value));

    public static Schema ListOf(Schema item) => new ListSchema(item);

    public static Schema MapOf(Schema value) => new MapSchema(value);

    public static ObjectSchema Obj(params (string Name, Schema Type, bool Required)[] fields) => new(fields);

    public static (string, Schema, bool) Req(string name, Schema type) => (name, type, true);

    public static (string, Schema, bool) Opt(string name, Schema type) => (name, type, false);

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex DurationRegex();
}

public sealed record ScalarSchema(string What, Func<YamlScalarNode, bool> Ok) : Schema
{
    public override void Check(YamlNode? node, string path, List<string> errors) =>
        Expect(node is YamlScalarNode s && Ok(s), errors, path, What + (node is YamlScalarNode v ? $", got '{v.Value}'" : $", got {node?.NodeType}"));
}

public sealed record AnySchema : Schema
{
    public override void Check(YamlNode? node, string path, List<string> errors)
    {
    }
}

public sealed record ListSchema(Schema Item) : Schema
{
    public override void Check(YamlNode? node, string path, List<string> errors)
    {
        if (node is not YamlSequenceNode seq)
        {
            Expect(false, errors, path, "a list");
            return;
        }
        for (var i = 0; i < seq.Children.Count; i++)
        {
            Item.Check(seq.Children[i], $"{path}[{i}]", errors);
        }
    }
}

public sealed record MapSchema(Schema Value) : Schema
{
    public override void Check(YamlNode? node, string path, List<string> errors)
    {
        if (node is not YamlMappingNode map)
        {
            Expect(false, errors, path, "a map");
            return;
        }
        foreach (var (key, value) in map.Entries())
        {
            Value.Check(value, $"{path}.{key}", errors);
        }
    }
}

public sealed record ObjectSchema((string Name, Schema Type, bool Required)[] Fields) : Schema
{
    /// <summary>Extra validation on the object as a whole (mutually exclusive fields and so on).</summary>
    public Func<YamlMappingNode, string?>? Rule { get; init; }

    public override void Check(YamlNode? node, string path, List<string> errors)
    {
        if (node is not YamlMappingNode map)
        {
            Expect(false, errors, path, "an object");
            return;
        }
        foreach (var (key, value) in map.Entries())
        {
            var field = Fields.FirstOrDefault(f => f.Name == key);
            if (field.Name is null)
            {
                errors.Add($"{path}.{key}: not a documented field (allowed: {string.Join(", ", Fields.Select(f => f.Name))})");
                continue;
            }
            field.Type.Check(value, $"{path}.{key}", errors);
        }
        foreach (var missing in Fields.Where(f => f.Required && map.At(f.Name) is null))
        {
            errors.Add($"{path}.{missing.Name}: required");
        }
        if (Rule?.Invoke(map) is { } problem)
        {
            errors.Add($"{path}: {problem}");
        }
    }
}
