using Microsoft.AspNetCore.Http;

namespace Fathom.Identity;

/// <summary>
/// Endpoint metadata naming the RFC 9728 protected-resource metadata document of the endpoint (a path on
/// this server). A 401 from such an endpoint carries it in <c>WWW-Authenticate: Bearer resource_metadata="..."</c>,
/// which is how MCP clients find out where tokens come from.
/// </summary>
public sealed record ProtectedResourceMetadataLink(string Path);

/// <summary>The address a client used to reach this app, for links it must follow back.</summary>
public static class PublicAddress
{
    /// <summary>
    /// Scheme and host, from <c>X-Forwarded-Proto</c>/<c>X-Forwarded-Host</c> when a proxy (the gateway, the ingress)
    /// set them. Only links in the caller's own response depend on them, so a client that forges them misleads
    /// only itself; values that are not a plain scheme or host are ignored.
    /// </summary>
    public static string Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var proto = First(request.Headers["X-Forwarded-Proto"]);
        var host = First(request.Headers["X-Forwarded-Host"]);
        var scheme = proto is "http" or "https" ? proto : request.Scheme;
        var authority = host is { Length: > 0 } && IsHost(host) ? host : request.Host.Value ?? "localhost";
        return $"{scheme}://{authority}";
    }

    private static string? First(string? header) => header?.Split(',')[0].Trim();

    private static bool IsHost(string value) => value.Length <= 255 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']');
}
