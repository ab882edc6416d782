using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Functions;
using Fathom.Http;
using Fathom.Identity;
using Fathom.Knowledge.Stores.Answers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Assistants.Functions.Mcp;

/// <summary>RFC 9728 protected-resource metadata: which authorization server issues the tokens this resource accepts.</summary>
public sealed record ResourceMetadataDocument(
    string Resource,
    [property: JsonPropertyName("authorization_servers")] IReadOnlyList<string> AuthorizationServers,
    [property: JsonPropertyName("bearer_methods_supported")] IReadOnlyList<string> BearerMethodsSupported,
    [property: JsonPropertyName("scopes_supported")] IReadOnlyList<string> ScopesSupported,
    [property: JsonPropertyName("resource_name")] string ResourceName);

/// <summary>
/// The tools' JSON. Unlike the REST API's, null members are written: the output schemas list every member as
/// required (nullable ones as "type": [..., "null"]), and MCP clients validate structured content against them.
/// </summary>
[JsonSerializable(typeof(McpCollectionList))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(AskResponse))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class McpJson : JsonSerializerContext;

public static class McpRegistration
{
    public const string Route = "/api/mcp";

    /// <summary>RFC 9728's well-known prefix; the metadata of <c>https://host/api/mcp</c> is at this prefix + <c>/api/mcp</c>.</summary>
    public const string MetadataRoute = "/.well-known/oauth-protected-resource";

    public static FunctionsApplicationBuilder AddKnowledgeMcp(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<KnowledgeTools>();
        builder.Services.AddMcpServer(o => o.ServerInfo = new() { Name = "fathom-knowledge", Version = "1.0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<KnowledgeTools>(McpJson.Default.Options);
        return builder;
    }

    /// <summary>MCP is a protocol endpoint, not a function: mapped beside them, behind the same authentication.</summary>
    public static WebApplication MapKnowledgeMcp(this WebApplication app)
    {
        // Stateless streamable HTTP has no server-to-client stream to open with GET (nor a session to DELETE): say so
        // the way every other refusal of this API is said, instead of the transport's own plain-text answer.
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.Equals(Route, StringComparison.OrdinalIgnoreCase) && !HttpMethods.IsPost(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method))
            {
                http.Response.Headers.Allow = "POST";
                await Problems.WriteAsync(http, StatusCodes.Status405MethodNotAllowed, "Method not allowed",
                    "The MCP endpoint is stateless streamable HTTP: send JSON-RPC messages with POST; there is no stream to open with GET.");
                return;
            }
            // The SDK reads the body itself: it throws (a 500) on anything but UTF-8 JSON and reads up to Kestrel's 100 MB.
            if (http.Request.Path.Equals(Route, StringComparison.OrdinalIgnoreCase) && HttpMethods.IsPost(http.Request.Method) && await FunctionBinding.RefuseJsonBodyAsync(http, "MCP's JSON-RPC messages"))
            {
                return;
            }
            await next(http);
        });
        // The tools only read (search, list, ask), so a read-only API key may use them; rate limits apply as to the REST API.
        app.MapPost(Route, new DeferredMcpEndpoint(app.Services).InvokeAsync)
            .RequireAuthorization().WithMetadata(new ProtectedResourceMetadataLink(MetadataRoute + Route), new RequiredScopeAttribute(RequiredScopeAttribute.Read));
        app.MapGet(MetadataRoute + "/{**resource}", (RequestDelegate)(http => ResourceMetadata(http, http.Request.RouteValues["resource"] as string).ExecuteAsync(http))).AllowAnonymous();
        return app;
    }

    private static IResult ResourceMetadata(HttpContext http, string? resource)
    {
        var path = "/" + (resource ?? "").Trim('/');
        // Every path under /api takes the same credentials; other paths are the Web UI's, which is not a protected resource.
        if (path != "/" && path != "/api" && !path.StartsWith("/api/", StringComparison.Ordinal))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"'{path}' is not a protected resource of this server.");
        }
        var issuer = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.Issuer;
        var address = PublicAddress.Of(http.Request);
        var document = new ResourceMetadataDocument(
            address + (path == "/" ? "" : path),
            // Issuer identifiers are URLs (RFC 8414) and MCP clients refuse anything else; an issuer set as a plain
            // name (the default "fathom") is named by the server that issues it: this one, whose Auth app signs the tokens.
            [Uri.TryCreate(issuer, UriKind.Absolute, out var url) && url.Scheme is "https" or "http" ? issuer : address],
            ["header"],
            ["read", "write"],
            "Fathom");
        return TypedResults.Json(document, AssistantsJson.Default.ResourceMetadataDocument);
    }
}
