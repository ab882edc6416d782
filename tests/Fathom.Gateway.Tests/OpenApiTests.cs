using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fathom.Testing;

namespace Fathom.Gateway.Tests;

/// <summary>
/// The OpenAPI documents cannot drift from the functions: each app's document is compared with the routes its host
/// prints (what it really routes) and with the <c>[Function]</c> methods of its source (routes, methods, bodies,
/// typed results, authorization), both ways. The gateway's merged document and the /api/docs page are checked too.
/// </summary>
public sealed partial class OpenApiTests
{
    private readonly TestIdentity _identity = new();

    public static TheoryData<string> HttpApps => new() { "Auth", "Users", "Knowledge", "Assistants", "Posts", "Tasks", "Web" };

    [Theory]
    [MemberData(nameof(HttpApps))]
    public async Task An_apps_document_describes_exactly_the_functions_it_routes(string app)
    {
        await using var process = await FunctionAppProcess.StartAsync(app, Settings());
        await process.WaitForOutputAsync("Functions (", TimeSpan.FromSeconds(30));
        using var response = await process.Client.GetAsync(DocumentPath(app));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{DocumentPath(app)}: {(int)response.StatusCode}\n{process.Output}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("3.1.1", (string?)document["openapi"]);

        var declared = AppFunctions.Read(RepoPaths.AppAssembly(app), app == "Web" ? "" : "api");
        var routed = Routed(process.Output);
        var documented = Operations(document);
        var problems = new List<string>();

        var declaredKeys = declared.SelectMany(f => f.Methods.Select(m => $"{m} {f.Path}")).ToHashSet();
        Compare("the source declares", declaredKeys, "the host routes", routed.Keys.ToHashSet(), problems);
        Compare("the host routes", routed.Keys.ToHashSet(), "the document has", documented.Keys.ToHashSet(), problems);

        foreach (var function in declared)
        {
            foreach (var method in function.Methods)
            {
                if (documented.GetValueOrDefault($"{method} {function.Path}") is { } operation)
                {
                    CheckOperation(document, operation, function, method, $"{function.Name} ({method} {function.Path})", problems);
                }
            }
        }
        foreach (var (name, schema) in document["components"]?["schemas"] as JsonObject ?? [])
        {
            if (schema?["x-fathom-unresolved-type"] is { } type)
            {
                problems.Add($"schema {name}: the app has no JSON metadata for {type}");
            }
        }

        Assert.True(problems.Count == 0, $"{app}'s OpenAPI document disagrees with its functions:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public async Task The_gateway_merges_the_apps_documents_and_serves_the_reference_page()
    {
        var port = FunctionAppProcess.FreePort();
        var settings = Settings();
        settings["Gateway__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway__Mode"] = "Eager";
        settings["Gateway__Only"] = "Tasks,Users,Web";
        settings["Gateway__Binaries"] = RepoPaths.Configuration;
        settings["Gateway__PortOffset"] = FunctionAppProcess.FreePortOffset().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway__Root"] = RepoPaths.Root;
        await using var gateway = await FunctionAppProcess.StartAsync("gateway", RepoPaths.ToolAssembly("Gateway", "fathom-gateway"), settings, port);
        using var client = new HttpClient { BaseAddress = gateway.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(180) };

        var merged = JsonNode.Parse(await client.GetStringAsync("/api/openapi.json"))!.AsObject();
        var operations = Operations(merged);
        Assert.Contains("PATCH /api/tasks/{id}", operations.Keys);
        Assert.Contains("GET /api/users/me", operations.Keys);
        // The UI's catch-all is not part of the API.
        Assert.DoesNotContain(operations.Keys, k => k.EndsWith(" /{path}", StringComparison.Ordinal));
        Assert.Equal(["Tasks", "Users"], merged["tags"]!.AsArray().Select(t => (string)t!["name"]!).Order(StringComparer.Ordinal));
        Assert.NotNull(merged["components"]?["securitySchemes"]?["bearer"]);
        Assert.DoesNotContain("Not included", (string?)merged["info"]?["description"] ?? "", StringComparison.Ordinal);
        var references = References(merged).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.True(Resolve(merged, new JsonObject { ["$ref"] = r }) is not null, $"{r} does not resolve in the merged document"));

        using var page = await client.GetAsync("/api/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        // The page's configuration names the merged document (JSON-escaped inside the page, so only its file name is compared).
        Assert.Contains("openapi.json", html, StringComparison.Ordinal);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups["src"].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            // Served by the gateway from the package: no CDN, so the page works offline.
            Assert.False(script.StartsWith("http", StringComparison.OrdinalIgnoreCase) || script.StartsWith("//", StringComparison.Ordinal), $"the page loads {script} from elsewhere");
            using var asset = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, "/api/docs/"), script));
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        }
    }

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject obj => (obj["$ref"] is JsonValue v ? [v.GetValue<string>()] : Enumerable.Empty<string>()).Concat(obj.SelectMany(p => References(p.Value))),
        JsonArray array => array.SelectMany(References),
        _ => [],
    };

    [GeneratedRegex("<script[^>]*\\ssrc=\"(?<src>[^\"]+)\"")]
    private static partial Regex ScriptSource();

    private static void CheckOperation(JsonObject document, JsonObject operation, DeclaredFunction function, string method, string where, List<string> problems)
    {
        if ((string?)operation["operationId"] != function.Name)
        {
            problems.Add($"{where}: operationId is '{operation["operationId"]}'");
        }

        var bodySchema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
        if (function.BodyType is null && operation["requestBody"] is not null)
        {
            problems.Add($"{where}: the document has a request body, the function reads none");
        }
        else if (function.BodyType is { } body)
        {
            if (bodySchema is null)
            {
                problems.Add($"{where}: the function reads a {body.Name} body, the document has no JSON request body");
            }
            else
            {
                CheckSchema(document, bodySchema, body, $"{where} request body", problems);
            }
        }

        var responses = operation["responses"] as JsonObject ?? [];
        var documented = responses.Select(r => r.Key).Where(k => k != "default").ToHashSet();
        var expected = function.Responses.Select(r => r.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Compare($"{where}: the result declares statuses", expected, "the document", documented, problems);
        if (responses["default"]?["content"]?["application/problem+json"] is null)
        {
            problems.Add($"{where}: no problem+json default response");
        }
        foreach (var result in function.Responses.Where(r => r.Type is not null))
        {
            var contents = responses[result.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)]?["content"] as JsonObject ?? [];
            if (contents.Select(c => c.Value?["schema"]).FirstOrDefault(s => s is not null) is not { } schema)
            {
                problems.Add($"{where}: {result.Status} returns {result.Type!.Name}, the document has no schema for it");
                continue;
            }
            CheckSchema(document, schema, result.Type!, $"{where} {result.Status}", problems);
        }

        var security = operation["security"] as JsonArray;
        var scheme = security is { Count: > 0 } ? security[0]!.AsObject().Select(s => s.Key).Single() : "none";
        var expectedScheme = function.AuthLevel switch { "Anonymous" => "none", "User" => "bearer", _ => "functionKey" };
        if (scheme != expectedScheme)
        {
            problems.Add($"{where}: authorization level {function.AuthLevel}, the document's security is {scheme}");
        }
        if (scheme == "bearer")
        {
            // An API key's scope: the declared one, else read for GET/HEAD and write for the rest.
            var expectedScope = function.RequiredScope ?? (method is "GET" or "HEAD" ? "read" : "write");
            var scopes = security![0]!["bearer"]!.AsArray().Select(s => (string?)s).ToList();
            if (scopes is not [var scope] || scope != expectedScope)
            {
                problems.Add($"{where}: an API key needs scope {expectedScope}, the document says [{string.Join(", ", scopes)}]");
            }
        }
    }

    /// <summary>An object schema's property names must be the type's JSON names (camelCase or snake_case alike).</summary>
    private static void CheckSchema(JsonObject document, JsonNode reference, Type type, string where, List<string> problems)
    {
        var schema = Resolve(document, reference);
        if (schema is null)
        {
            problems.Add($"{where}: {reference["$ref"]} does not resolve");
            return;
        }
        // Problem details have hand-written schemas (the host adds requestId); arrays and strings have no properties to compare.
        if (type.Namespace?.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) == true || schema["properties"] is not JsonObject properties)
        {
            return;
        }
        Compare($"{where}: {type.Name} has JSON properties", JsonNames(type), "the schema", properties.Select(p => Normalized(p.Key)).ToHashSet(), problems);
    }

    private static HashSet<string> JsonNames(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true })
            .Where(p => !p.GetCustomAttributesData().Any(a => a.AttributeType.Name == "JsonExtensionDataAttribute" || IgnoredAlways(a)))
            .Select(p => p.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == "JsonPropertyNameAttribute")?.ConstructorArguments[0].Value as string ?? p.Name)
            .Select(Normalized)
            .ToHashSet();

    /// <summary><c>[JsonIgnore]</c> leaves a property out; <c>[JsonIgnore(Condition = WhenWritingNull)]</c> only sometimes, so the schema keeps it.</summary>
    private static bool IgnoredAlways(CustomAttributeData attribute)
        => attribute.AttributeType.Name == "JsonIgnoreAttribute" &&
           attribute.NamedArguments.FirstOrDefault(a => a.MemberName == "Condition").TypedValue.Value is null or 1;

    private static string Normalized(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static JsonNode? Resolve(JsonObject document, JsonNode reference)
    {
        if ((string?)reference["$ref"] is not { } pointer)
        {
            return reference;
        }
        JsonNode? node = document;
        foreach (var part in pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node is JsonArray array ? array[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : node?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }
        return node;
    }

    private static void Compare(string left, IReadOnlySet<string> expected, string right, IReadOnlySet<string> actual, List<string> problems)
    {
        foreach (var missing in expected.Except(actual).Order(StringComparer.Ordinal))
        {
            problems.Add($"{left} {missing}; {right} does not");
        }
        foreach (var extra in actual.Except(expected).Order(StringComparer.Ordinal))
        {
            problems.Add($"{right} {extra}; {left} does not");
        }
    }

    /// <summary>"GET /api/tasks/{id}" → the operation, for every path and method of the document.</summary>
    private static Dictionary<string, JsonObject> Operations(JsonObject document)
        => (document["paths"] as JsonObject ?? [])
            .SelectMany(p => (p.Value as JsonObject ?? []).Select(o => (Key: $"{o.Key.ToUpperInvariant()} {p.Key}", Operation: o.Value!.AsObject())))
            .ToDictionary(o => o.Key, o => o.Operation);

    /// <summary>The HTTP functions of the table the host prints on start: "Name: [GET,HEAD] http://127.0.0.1:port/api/x/{id:guid} (User)".</summary>
    private static Dictionary<string, string> Routed(string output)
        => FunctionTableLine().Matches(output)
            .SelectMany(m => m.Groups["methods"].Value.Split(',').Select(method => (Key: $"{method} {AppFunctions.PathOf("", m.Groups["path"].Value)}", Name: m.Groups["name"].Value)))
            .ToDictionary(r => r.Key, r => r.Name);

    [GeneratedRegex(@"^\s+(?<name>\w+): \[(?<methods>[A-Z,]+)\] http://[^/\s]+(?<path>/\S*) \(", RegexOptions.Multiline)]
    private static partial Regex FunctionTableLine();

    /// <summary>Where the gateway looks for an app's document (its first route, tools/Gateway/appsettings.json); the UI's at the root.</summary>
    private static string DocumentPath(string app)
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tools", "Gateway", "appsettings.json")))!;
        var route = (string)settings["Gateway"]!["Apps"]!.AsArray().Single(a => (string?)a!["Name"] == app)!["Routes"]![0]!;
        return route.TrimEnd('/') + "/openapi.json";
    }

    private Dictionary<string, string> Settings()
    {
        var settings = new Dictionary<string, string>(_identity.Settings)
        {
            // Serving the document reads no data; the stack's own databases are enough to start.
            ["PostgresConnection"] = TestStack.Postgres,
            ["RedisConnection"] = TestStack.Redis,
            ["VectorStoreConnection"] = TestStack.VectorStore,
            ["IngestStream"] = $"test:ingest:{Guid.NewGuid():N}",
        };
        foreach (var (key, value) in TestStack.GenerousRateLimits())
        {
            settings[key] = value;
        }
        return settings;
    }
}
