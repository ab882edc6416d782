using System.Text;
using System.Text.Json.Nodes;
using Fathom.Functions.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fathom.Functions.OpenApi;

/// <summary>
/// Serves the app's OpenAPI document at <c>/&lt;routePrefix&gt;/&lt;area&gt;/openapi.json</c>, as the Azure Functions
/// OpenAPI extension serves one per app. The area is the first route segment most of the app's functions share
/// (Knowledge: <c>collections</c>); the Web app, whose one route is a catch-all at the root, serves <c>/openapi.json</c>.
/// </summary>
internal static partial class OpenApiEndpoint
{
    public const string FileName = "openapi.json";

    public static void MapOpenApiDocument(this WebApplication app, IReadOnlyList<HttpFunctionDescriptor> functions)
    {
        if (functions.Count == 0)
        {
            return;
        }
        var prefix = app.Services.GetRequiredService<IOptions<FunctionsHostOptions>>().Value.Extensions.Http.RoutePrefix.Trim('/');
        var path = PathFor(prefix, functions);
        var sources = ((IEndpointRouteBuilder)app).DataSources;
        // Built once, on first request: by then every endpoint is mapped, and start-up stays as cheap as before.
        var document = new Lazy<byte[]>(() => Build(app.Services, sources), LazyThreadSafetyMode.ExecutionAndPublication);
        // A RequestDelegate, not a lambda with parameters: minimal APIs' delegate inference is reflection, not AOT-safe.
        app.MapGet(path, http =>
        {
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.ContentType = "application/json";
            return http.Response.Body.WriteAsync(document.Value, http.RequestAborted).AsTask();
        }).AllowAnonymous();
    }

    public static string PathFor(string prefix, IReadOnlyList<HttpFunctionDescriptor> functions)
    {
        var area = functions
            .Select(f => f.Route.Trim('/').Split('/')[0])
            .Where(s => s.Length > 0 && !s.StartsWith('{') && !s.StartsWith('.'))
            .GroupBy(s => s, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key)
            .FirstOrDefault();
        return "/" + string.Join('/', new[] { prefix, area ?? "", FileName }.Where(s => s.Length > 0));
    }

    private static byte[] Build(IServiceProvider services, IEnumerable<EndpointDataSource> sources)
    {
        var appName = services.GetRequiredService<IHostEnvironment>().ApplicationName;
        appName = appName.EndsWith(".Functions", StringComparison.Ordinal) ? appName[..^".Functions".Length] : appName;
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var document = OpenApiDocumentBuilder.Build(appName, sources.SelectMany(s => s.Endpoints), json);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OpenApiEndpoint).FullName!);
        foreach (var unresolved in Unresolved(document))
        {
            LogUnresolvedType(logger, unresolved);
        }
        return Encoding.UTF8.GetBytes(document.ToJsonString());
    }

    private static IEnumerable<string> Unresolved(JsonObject document)
        => (document["components"]?["schemas"] as JsonObject ?? [])
            .Select(s => s.Value?[OpenApiSchemas.UnresolvedMarker]?.GetValue<string>())
            .OfType<string>();

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenAPI document: the app has no JSON metadata for {Type}; register it in the app's JsonSerializerContext")]
    private static partial void LogUnresolvedType(ILogger logger, string type);
}
