using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Assistants.Functions.OpenAI;

/// <summary>OpenAI's error object: what every OpenAI SDK reads from <c>{"error": {...}}</c> to build the message a user sees.</summary>
public sealed record OpenAIError(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code);

/// <summary>
/// Errors under <c>/api/v1</c> in the shape OpenAI clients read. Every problem body of the app is written by
/// <see cref="IProblemDetailsService"/> (function results, body binding, the shared authentication handler's
/// 401/403, the rate limiter's 429, status-code pages, the exception handler), so the <c>error</c> member is
/// added there, once; the RFC 7807 fields stay beside it for clients that read those.
/// </summary>
public static class OpenAIErrors
{
    public const string PathPrefix = "/api/v1";

    public const string InvalidRequest = "invalid_request_error";

    /// <summary>OpenAI's code for a parameter with a value it cannot use.</summary>
    public const string InvalidValue = "invalid_value";

    public static IServiceCollection AddOpenAIErrorShape(this IServiceCollection services)
        => services.PostConfigure<ProblemDetailsOptions>(options =>
        {
            // After the host's own customisation (request id, instance), which must keep running.
            var inner = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                inner?.Invoke(context);
                if (context.HttpContext.Request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    AddError(context.ProblemDetails, context.HttpContext);
                }
            };
        });

    /// <summary>A 400 naming the parameter at fault, in both shapes.</summary>
    public static ProblemHttpResult BadRequest(string param, string message, string? code = InvalidValue)
        => Problem(StatusCodes.Status400BadRequest, "The request is not valid.", message, param, code);

    /// <summary>A problem whose OpenAI error carries a parameter and code the status alone cannot tell.</summary>
    public static ProblemHttpResult Problem(int status, string title, string message, string? param, string? code)
        => TypedResults.Problem(detail: message, statusCode: status, title: title,
            extensions: new Dictionary<string, object?> { ["error"] = new OpenAIError(message, TypeOf(status), param, code) });

    private static void AddError(ProblemDetails problem, HttpContext http)
    {
        if (problem.Extensions.TryGetValue("error", out var given) && given is OpenAIError)
        {
            return;
        }
        var status = problem.Status ?? http.Response.StatusCode;
        string? param = null;
        var code = CodeOf(status);
        var message = problem.Detail ?? status switch
        {
            // Status-code pages give only a title: name what was asked for.
            StatusCodes.Status404NotFound => $"{http.Request.Method} {http.Request.Path} is not an endpoint of this API (see docs/api.md).",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Path} does not answer {http.Request.Method}.",
            _ => problem.Title ?? "The request failed.",
        };
        if (problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
        {
            // OpenAI names one parameter; the message still lists every problem.
            param = validation.Errors.Keys.First();
            message = string.Join(" ", validation.Errors.SelectMany(e => e.Value));
            code = InvalidValue;
        }
        problem.Extensions["error"] = new OpenAIError(message, TypeOf(status), param, code);
    }

    /// <summary>OpenAI's error types by status (the SDKs pick their exception class by status, users read the type).</summary>
    public static string TypeOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status403Forbidden => "permission_error",
        StatusCodes.Status404NotFound => "not_found_error",
        StatusCodes.Status409Conflict => "conflict_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        >= 500 => "server_error",
        _ => InvalidRequest,
    };

    private static string? CodeOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "invalid_api_key",
        StatusCodes.Status429TooManyRequests => "rate_limit_exceeded",
        _ => null,
    };
}
