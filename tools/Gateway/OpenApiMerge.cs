using System.Text.Json.Nodes;

namespace Fathom.Gateway;

/// <summary>
/// Merges the apps' OpenAPI documents into one, for <c>/api/openapi.json</c> and the <c>/api/docs</c> page. Each app
/// owns its paths, so paths never clash; a schema name two apps use for different shapes gets the app's name in front.
/// </summary>
public static class OpenApiMerge
{
    /// <summary>An app's document sits under its first public route (docs/conventions.md): <c>/api/collections/openapi.json</c>.</summary>
    public static string DocumentPath(AppOptions app) => app.Routes[0].TrimEnd('/') + "/openapi.json";

    /// <summary>The apps with an API document: those that own an <c>/api</c> route (not the UI at "/", not the trigger-only apps).</summary>
    public static IEnumerable<AppOptions> DocumentedApps(GatewayOptions options)
        => options.Apps.Where(a => a.Routes.Count > 0 && a.Routes[0].StartsWith("/api/", StringComparison.Ordinal));

    public static JsonObject Merge(IEnumerable<(string App, JsonObject Document)> documents, IEnumerable<(string App, string Reason)> missing)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        var securitySchemes = new JsonObject();
        var tags = new JsonArray();
        foreach (var (app, document) in documents)
        {
            var appSchemas = document["components"]?["schemas"] as JsonObject ?? [];
            var renames = appSchemas
                .Where(s => schemas[s.Key] is { } taken && !JsonNode.DeepEquals(taken, s.Value))
                .ToDictionary(s => $"#/components/schemas/{s.Key}", s => $"#/components/schemas/{app}{s.Key}", StringComparer.Ordinal);
            RenameReferences(document, renames);
            foreach (var (name, schema) in appSchemas)
            {
                var merged = renames.ContainsKey($"#/components/schemas/{name}") ? app + name : name;
                schemas[merged] ??= schema?.DeepClone();
            }
            foreach (var (name, scheme) in document["components"]?["securitySchemes"] as JsonObject ?? [])
            {
                securitySchemes[name] ??= scheme?.DeepClone();
            }
            foreach (var (path, item) in document["paths"] as JsonObject ?? [])
            {
                paths[path] ??= item?.DeepClone();
            }
            foreach (var tag in document["tags"] as JsonArray ?? [])
            {
                tags.Add(tag?.DeepClone());
            }
        }

        var description = "Every Fathom app's HTTP functions in one document, merged by the local gateway from each app's own /api/<area>/openapi.json. Errors are RFC 7807 problem details (application/problem+json).";
        var absent = missing.Select(m => $"{m.App} ({m.Reason})").ToList();
        if (absent.Count > 0)
        {
            description += " Not included, because the app did not answer: " + string.Join("; ", absent) + ".";
        }
        return new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject { ["title"] = "Fathom API", ["version"] = "1", ["description"] = description },
            ["tags"] = tags,
            ["paths"] = new JsonObject(paths.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone()))),
            ["components"] = new JsonObject { ["schemas"] = schemas, ["securitySchemes"] = securitySchemes },
        };
    }

    private static void RenameReferences(JsonNode? node, IReadOnlyDictionary<string, string> renames)
    {
        if (renames.Count == 0)
        {
            return;
        }
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue value && value.TryGetValue(out string? target))
                {
                    // A reference may point inside a schema ("#/components/schemas/X/properties/y"): rename its component part.
                    var hit = renames.Keys.FirstOrDefault(k => target == k || target.StartsWith(k + "/", StringComparison.Ordinal));
                    if (hit is not null)
                    {
                        obj["$ref"] = renames[hit] + target[hit.Length..];
                    }
                }
                foreach (var (_, child) in obj.ToList())
                {
                    RenameReferences(child, renames);
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RenameReferences(child, renames);
                }
                break;
        }
    }
}
