using System.Text.Json.Nodes;

namespace Fathom.Functions.OpenApi;

/// <summary>
/// Every error Fathom answers is RFC 7807 problem details with a <c>requestId</c> (docs/api.md); written by hand
/// because the host adds fields ASP.NET Core's ProblemDetails type does not carry.
/// </summary>
internal static class ProblemSchemas
{
    public const string Problem = "ProblemDetails";
    public const string ValidationProblem = "ValidationProblemDetails";
    public const string ContentType = "application/problem+json";

    public static IEnumerable<KeyValuePair<string, JsonNode?>> All() =>
    [
        new(Problem, new JsonObject
        {
            ["type"] = "object",
            ["description"] = "RFC 7807 problem details; every error answer has this shape.",
            ["properties"] = ProblemProperties(),
        }),
        new(ValidationProblem, new JsonObject
        {
            ["type"] = "object",
            ["description"] = "Problem details naming the fields that are not valid (at most 50; the rest are counted under 'more').",
            ["properties"] = ProblemProperties(withErrors: true),
        }),
    ];

    private static JsonObject ProblemProperties(bool withErrors = false)
    {
        var properties = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer" },
            ["detail"] = new JsonObject { ["type"] = "string" },
            ["instance"] = new JsonObject { ["type"] = "string" },
            ["requestId"] = new JsonObject { ["type"] = "string", ["description"] = "Also in the X-Request-Id header; quote it when reporting a problem." },
        };
        if (withErrors)
        {
            properties["errors"] = new JsonObject
            {
                ["type"] = "object",
                ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            };
        }
        return properties;
    }
}
