using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.WebUtilities;

namespace Fathom.Functions.OpenApi;

/// <summary>
/// Writes an app's OpenAPI 3.1 document from the endpoints the host really routes: each HTTP function's route
/// pattern and methods, its authorization level (security), its <c>[FromBody]</c> type and the responses its typed
/// result declares. Errors are problem details, so every operation also has a problem+json <c>default</c> answer.
/// </summary>
internal static class OpenApiDocumentBuilder
{
    public const string BearerScheme = "bearer";
    public const string FunctionKeyScheme = "functionKey";

    public static JsonObject Build(string appName, IEnumerable<Endpoint> endpoints, JsonSerializerOptions json)
    {
        var schemas = new OpenApiSchemas(json);
        var paths = new JsonObject();
        var schemes = new SortedSet<string>(StringComparer.Ordinal);
        var functions = endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Function: e.Metadata.GetMetadata<HttpFunctionDescriptor>()))
            .Where(e => e.Function is not null)
            .OrderBy(e => PathOf(e.Endpoint.RoutePattern), StringComparer.Ordinal);
        foreach (var (endpoint, function) in functions)
        {
            var path = PathOf(endpoint.RoutePattern);
            var item = paths[path] as JsonObject ?? new JsonObject();
            paths[path] = item;
            foreach (var method in function!.Methods)
            {
                item[method.ToLowerInvariant()] = Operation(appName, endpoint, function, method, schemas, schemes);
            }
        }

        var components = new JsonObject { ["schemas"] = schemas.Components };
        if (schemes.Count > 0)
        {
            components["securitySchemes"] = new JsonObject(schemes.Select(s => new KeyValuePair<string, JsonNode?>(s, SecurityScheme(s))));
        }
        return new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject
            {
                ["title"] = $"Fathom {appName}",
                ["version"] = "1",
                ["description"] = $"The HTTP functions of Fathom's {appName} app, as its host routes them. Errors are RFC 7807 problem details (application/problem+json).",
            },
            ["tags"] = new JsonArray(new JsonObject { ["name"] = appName }),
            ["paths"] = paths,
            ["components"] = components,
        };
    }

    /// <summary><c>api/collections/{id:guid}/chunks/{*rest}</c> → <c>/api/collections/{id}/chunks/{rest}</c> (OpenAPI has no constraints or catch-alls).</summary>
    public static string PathOf(RoutePattern pattern)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
                    RoutePatternSeparatorPart separator => separator.Content,
                    _ => "",
                });
            }
        }
        return path.Length == 0 ? "/" : path.ToString();
    }

    private static JsonObject Operation(string appName, RouteEndpoint endpoint, HttpFunctionDescriptor function, string method, OpenApiSchemas schemas, ISet<string> schemes)
    {
        var operation = new JsonObject
        {
            ["operationId"] = function.Name,
            ["tags"] = new JsonArray(appName),
        };
        var parameters = new JsonArray(endpoint.RoutePattern.Parameters.Select(p => (JsonNode)PathParameter(p)).ToArray());
        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }
        if (function.BodyType is { } body)
        {
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schemas.Reference(body) } },
            };
        }
        operation["responses"] = Responses(endpoint, schemas);
        operation["security"] = Security(function, method, schemes);
        return operation;
    }

    private static JsonObject PathParameter(RoutePatternParameterPart parameter)
    {
        var constraint = parameter.ParameterPolicies.Select(p => p.Content).FirstOrDefault(c => c is not null);
        JsonObject schema = constraint switch
        {
            "guid" => new() { ["type"] = "string", ["format"] = "uuid" },
            "int" => new() { ["type"] = "integer", ["format"] = "int32" },
            "long" => new() { ["type"] = "integer", ["format"] = "int64" },
            _ => new() { ["type"] = "string" },
        };
        var where = new JsonObject { ["name"] = parameter.Name, ["in"] = "path", ["required"] = true, ["schema"] = schema };
        if (parameter.IsCatchAll)
        {
            where["description"] = "The rest of the path; may contain '/'.";
        }
        return where;
    }

    private static JsonObject Responses(RouteEndpoint endpoint, OpenApiSchemas schemas)
    {
        var responses = new JsonObject();
        foreach (var produced in endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().OrderBy(p => p.StatusCode))
        {
            var status = produced.StatusCode.ToString(CultureInfo.InvariantCulture);
            // One status may come from two results (Ask answers 200 as JSON or as server-sent events): one response, both contents.
            if (responses[status] is not JsonObject response)
            {
                response = new JsonObject { ["description"] = ReasonPhrases.GetReasonPhrase(produced.StatusCode) };
                responses[status] = response;
            }
            foreach (var (contentType, media) in Content(produced, schemas))
            {
                var content = response["content"] as JsonObject ?? [];
                response["content"] = content;
                content[contentType] = media;
            }
        }
        responses["default"] = new JsonObject
        {
            ["description"] = "An error: problem details (401/403 without valid credentials, 413/415 for a body the function cannot read, 429 past a rate limit, 5xx).",
            ["content"] = ProblemContent(ProblemSchemas.Problem),
        };
        return responses;
    }

    private static IEnumerable<(string ContentType, JsonObject Media)> Content(IProducesResponseTypeMetadata produced, OpenApiSchemas schemas)
    {
        var type = produced.Type is { } t && t != typeof(void) ? t : null;
        if (type is not null)
        {
            var contentTypes = produced.ContentTypes.Any() ? produced.ContentTypes : ["application/json"];
            return contentTypes.Select(c => (c, new JsonObject { ["schema"] = schemas.Reference(type) }));
        }
        if (produced.StatusCode >= 400)
        {
            // The host's status code pages turn a bare 404 (or any empty error) into problem details.
            return [(ProblemSchemas.ContentType, new JsonObject { ["schema"] = OpenApiSchemas.Ref(ProblemSchemas.Problem) })];
        }
        // No type: nothing (204), or a stream or hand-written JSON whose content type is all there is to say.
        return produced.ContentTypes.Select(c => (c, new JsonObject()));
    }

    private static JsonObject ProblemContent(string schema)
        => new() { [ProblemSchemas.ContentType] = new JsonObject { ["schema"] = OpenApiSchemas.Ref(schema) } };

    private static JsonArray Security(HttpFunctionDescriptor function, string method, ISet<string> schemes)
    {
        switch (function.AuthLevel)
        {
            case AuthorizationLevel.Anonymous:
                return [];
            case AuthorizationLevel.User:
                schemes.Add(BearerScheme);
                // The scope an API key needs: the declared one, else read for GET/HEAD and write otherwise (RequiredScopeAttribute).
                var scope = function.RequiredScope ?? (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? RequiredScopeAttribute.Read : RequiredScopeAttribute.Write);
                // new JsonArray(node), not [node]: a collection expression calls the generic Add<T>, which is not AOT-safe.
                return new JsonArray(new JsonObject { [BearerScheme] = new JsonArray(scope) });
            default:
                schemes.Add(FunctionKeyScheme);
                return new JsonArray(new JsonObject { [FunctionKeyScheme] = new JsonArray() });
        }
    }

    private static JsonObject SecurityScheme(string name) => name == BearerScheme
        ? new JsonObject
        {
            ["type"] = "http",
            ["scheme"] = "bearer",
            ["bearerFormat"] = "JWT access token or Fathom API key (fth_...)",
            ["description"] = "An access token from POST /api/auth/login, or an API key from POST /api/auth/keys. A listed scope is what an API key needs (read or write); access tokens carry every scope.",
        }
        : new JsonObject
        {
            ["type"] = "apiKey",
            ["in"] = "header",
            ["name"] = Http.HttpPipeline.FunctionKeyHeader,
            ["description"] = "The host key (setting FunctionsHost__Key); for calls between Fathom apps only.",
        };
}
