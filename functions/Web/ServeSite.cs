using Fathom.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Web.Functions;

/// <summary>
/// Serves the UI: a file when the path names one, otherwise index.html (the UI routes by URL hash, so
/// any other page address still loads the app). API and /.well-known addresses that reach it belong to no app: 404.
/// </summary>
public sealed class ServeSite(StaticSite site)
{
    /// <summary>Only the UI's own files; no inline script or style, no framing (the meta tag in index.html cannot say frame-ancestors).</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    [Function(nameof(ServeSite))]
    public Results<FileStreamHttpResult, NotFound> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{*path}")] HttpRequest req)
    {
        var path = (req.RouteValues["path"] as string ?? "").TrimStart('/');
        if (path is "api" || path.StartsWith("api/", StringComparison.OrdinalIgnoreCase) || path.StartsWith(".well-known/", StringComparison.Ordinal))
        {
            // An API address no app claims is a 404 for the caller, not the UI's page with 200.
            return TypedResults.NotFound();
        }
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
        // nosniff, frame and referrer headers come from the host for every response; the page's policy is its own.
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        // index.html is small and must pick up new releases; the rest revalidates by ETag.
        headers.CacheControl = file.Name == "index.html" ? "no-cache" : "public, max-age=300";
        var etag = new EntityTagHeaderValue($"\"{file.LastModified.UtcTicks:x}-{file.Length:x}\"");
        return TypedResults.Stream(file.CreateReadStream(), site.ContentType(file.Name), lastModified: file.LastModified, entityTag: etag);
    }
}
