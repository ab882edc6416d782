using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace Fathom.Functions.OpenApi;

/// <summary>
/// The document's <c>components.schemas</c>: one JSON Schema per body or result type, exported by System.Text.Json
/// from the app's own (source-generated) JSON metadata, so a schema says exactly what the app reads and writes.
/// </summary>
internal sealed class OpenApiSchemas(JsonSerializerOptions json)
{
    /// <summary>Marks a schema the app has no JSON metadata for; the drift test fails on it (the app could not write that type either).</summary>
    public const string UnresolvedMarker = "x-fathom-unresolved-type";

    private static readonly JsonSchemaExporterOptions Exporter = new() { TreatNullObliviousAsNonNullable = true };

    private readonly Dictionary<Type, string> _names = [];

    public JsonObject Components { get; } = new(ProblemSchemas.All());

    /// <summary>A <c>$ref</c> to the type's schema, adding the schema on first use.</summary>
    public JsonObject Reference(Type type)
    {
        if (type == typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))
        {
            return Ref(ProblemSchemas.ValidationProblem);
        }
        if (type == typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))
        {
            return Ref(ProblemSchemas.Problem);
        }
        if (!_names.TryGetValue(type, out var name))
        {
            name = UniqueName(type);
            _names[type] = name;
            Components[name] = Export(type, name);
        }
        return Ref(name);
    }

    public static JsonObject Ref(string name) => new() { ["$ref"] = $"#/components/schemas/{name}" };

    private JsonNode Export(Type type, string name)
    {
        JsonNode schema;
        try
        {
            schema = json.GetJsonSchemaAsNode(type, Exporter);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            return new JsonObject { ["description"] = $"No JSON metadata: {ex.Message}", [UnresolvedMarker] = type.FullName };
        }
        // The exporter's references point into the type's own schema ("#/properties/..."); here that schema sits
        // under components, so each pointer gets the component's path in front.
        RebaseReferences(schema, $"#/components/schemas/{name}");
        OptionalWhenNullable(schema);
        return schema;
    }

    /// <summary>
    /// The exporter lists every constructor parameter as required, but System.Text.Json (as the apps configure it) reads
    /// a missing property as null: a property that may be null may as well be left out, so it is not required.
    /// </summary>
    private static void OptionalWhenNullable(JsonNode? node)
    {
        if (node is JsonObject { } obj)
        {
            if (obj["properties"] is JsonObject properties && obj["required"] is JsonArray required)
            {
                foreach (var item in required.ToList())
                {
                    // A property's schema may also be a bare true (any JSON), which has no type.
                    if (item?.GetValue<string>() is { } property && properties[property] is JsonObject { } schema &&
                        schema["type"] is JsonArray types && types.Any(t => t is JsonValue v && v.TryGetValue(out string? type) && type == "null"))
                    {
                        required.Remove(item);
                    }
                }
            }
            foreach (var (_, child) in obj.ToList())
            {
                OptionalWhenNullable(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array)
            {
                OptionalWhenNullable(child);
            }
        }
    }

    private static void RebaseReferences(JsonNode? node, string root)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue value && value.TryGetValue(out string? pointer) && pointer.StartsWith('#'))
                {
                    obj["$ref"] = root + pointer[1..];
                }
                foreach (var (_, child) in obj.ToList())
                {
                    RebaseReferences(child, root);
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RebaseReferences(child, root);
                }
                break;
        }
    }

    private string UniqueName(Type type)
    {
        var name = Readable(type);
        var unique = name;
        for (var i = 2; Components.ContainsKey(unique); i++)
        {
            unique = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return unique;
    }

    /// <summary><c>Paged&lt;TaskItem&gt;</c> → <c>PagedOfTaskItem</c>, <c>string[]</c> → <c>ArrayOfString</c>.</summary>
    private static string Readable(Type type)
    {
        if (type.IsArray)
        {
            return "ArrayOf" + Readable(type.GetElementType()!);
        }
        if (!type.IsGenericType)
        {
            return type.Name;
        }
        var name = new StringBuilder(type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]);
        name.Append("Of");
        name.AppendJoin("And", type.GetGenericArguments().Select(Readable));
        return name.ToString();
    }
}
