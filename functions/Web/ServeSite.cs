using Fathom.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Web.Functions;

/// <summary>
/// Serves the UI: a file when the path names one, otherwise index.html (the UI routes by URL hash, so
/// any other page address still loads the app). API paths never reach this app through the gateway.
/// </summary>
public sealed class ServeSite(StaticSite site)
{
    [Function(nameof(ServeSite))]
    public Results<FileStreamHttpResult, NotFound> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{*path}")] HttpRequest req)
    {
        var path = (req.RouteValues["path"] as string ?? "").TrimStart('/');
        var file = path.Length == 0 || path.EndsWith('/') ? site.Files.GetFileInfo("index.html") : site.Files.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory)
        {
            // Well-known URIs (RFC 8615) are read by programs, OAuth and MCP clients among them: the UI's HTML under
            // /.well-known/oauth-authorization-server would read as a broken answer instead of "there is none".
            if (Path.HasExtension(path) || path.StartsWith(".well-known/", StringComparison.Ordinal) || path == ".well-known")
            {
                return TypedResults.NotFound();
            }
            file = site.Files.GetFileInfo("index.html");
        }

        var headers = req.HttpContext.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        // index.html is small and must pick up new releases; the rest revalidates by ETag.
        headers.CacheControl = file.Name == "index.html" ? "no-cache" : "public, max-age=300";
        var etag = new EntityTagHeaderValue($"\"{file.LastModified.UtcTicks:x}-{file.Length:x}\"");
        return TypedResults.Stream(file.CreateReadStream(), site.ContentType(file.Name), lastModified: file.LastModified, entityTag: etag);
    }
}
