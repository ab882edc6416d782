using Fathom.Http;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Fathom.Functions.Http;

/// <summary>
/// Kestrel's complaint about the request body, raised while code outside the functions' own binding reads it (the
/// MCP transport, a form reader): a body past the size limit (413), cut off or malformed chunked framing (400). Answered
/// with its own status as problem details instead of a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (http.Response.HasStarted || exception is not BadHttpRequestException bad)
        {
            return false;
        }
        var (title, detail) = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? ("Body too large", $"The request body is larger than this endpoint accepts ({http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize:N0} bytes at most).")
            : ("Bad request", bad.Message);
        await Problems.WriteAsync(http, bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest, title, detail);
        return true;
    }
}
