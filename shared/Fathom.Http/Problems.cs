using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Fathom.Http;

/// <summary>
/// Writes RFC 7807 problem details through the app's <see cref="IProblemDetailsService"/> (the host registers it, adding
/// the request id and a writer for clients that do not accept JSON).
/// </summary>
public static class Problems
{
    public static async Task WriteAsync(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        var service = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>A typed problem result for handlers (404, 409, 413, 415...).</summary>
    public static ProblemHttpResult Result(int status, string title, string detail)
        => TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
