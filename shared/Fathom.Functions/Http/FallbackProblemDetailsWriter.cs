using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Fathom.Functions.Http;

/// <summary>
/// The last problem writer: ASP.NET Core's own writes only for clients that accept JSON, and the problem service
/// throws when no writer will, turning a 401 or 405 into an empty 500. A client that asked for something else (an
/// MCP or SSE client sending <c>Accept: text/event-stream</c>) still gets the problem as JSON.
/// </summary>
internal sealed class FallbackProblemDetailsWriter(IOptions<ProblemDetailsOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        context.ProblemDetails.Status ??= http.Response.StatusCode;
        options.Value.CustomizeProblemDetails?.Invoke(context);
        var typeInfo = json.Value.SerializerOptions.GetTypeInfo(context.ProblemDetails.GetType());
        return new ValueTask(http.Response.WriteAsJsonAsync(context.ProblemDetails, typeInfo, "application/problem+json", http.RequestAborted));
    }
}
