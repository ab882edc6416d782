using System.Text.Json.Nodes;
using Scalar.AspNetCore;

namespace Fathom.Gateway;

/// <summary><c>GET /api/openapi.json</c> (every app's document, merged) and <c>GET /api/docs</c> (Scalar's reference page, served from its package).</summary>
public static partial class OpenApiEndpoints
{
    public const string MergedPath = "/api/openapi.json";
    public const string DocsPath = "/api/docs";
    public const string HttpClientName = "openapi";

    public static void MapOpenApiDocs(this WebApplication app, GatewayOptions options)
    {
        app.MapGet(MergedPath, async (IHttpClientFactory clients, ILoggerFactory logs, CancellationToken ct) =>
        {
            var logger = logs.CreateLogger("Fathom.Gateway.OpenApi");
            // Through the gateway itself, so a sleeping app (OnDemand) is woken the way any request wakes it.
            var client = clients.CreateClient(HttpClientName);
            client.BaseAddress = new Uri($"http://localhost:{options.Port}");
            var fetched = await Task.WhenAll(OpenApiMerge.DocumentedApps(options).Select(a => FetchAsync(client, a, logger, ct)));
            var merged = OpenApiMerge.Merge(
                fetched.Where(f => f.Document is not null).Select(f => (f.App, f.Document!)),
                fetched.Where(f => f.Document is null).Select(f => (f.App, f.Failure!)));
            return Results.Text(merged.ToJsonString(), "application/json");
        });
        app.MapScalarApiReference(DocsPath, scalar => scalar
            .WithTitle("Fathom API")
            .AddDocument("fathom", "Fathom API", MergedPath));
    }

    private static async Task<(string App, JsonObject? Document, string? Failure)> FetchAsync(HttpClient client, AppOptions app, ILogger logger, CancellationToken ct)
    {
        var path = OpenApiMerge.DocumentPath(app);
        try
        {
            using var response = await client.GetAsync(path, ct);
            if (!response.IsSuccessStatusCode)
            {
                LogDocumentMissing(logger, app.Name, path, $"HTTP {(int)response.StatusCode}");
                return (app.Name, null, $"HTTP {(int)response.StatusCode} from {path}");
            }
            return (app.Name, JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            LogDocumentMissing(logger, app.Name, path, ex.Message);
            return (app.Name, null, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenAPI: {App}'s document {Path} is left out of the merged document: {Reason}")]
    private static partial void LogDocumentMissing(ILogger logger, string app, string path, string reason);
}
