using Fathom.Functions.Http;
using Fathom.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fathom.Functions;

/// <param name="BodyType">The <c>[FromBody]</c> parameter's type, if any (the OpenAPI document's request body).</param>
/// <param name="DescribeResults">Adds the response metadata the function's typed result declares (ASP.NET Core's own), if it declares any.</param>
public sealed record HttpFunctionDescriptor(
    string Name,
    IReadOnlyList<string> Methods,
    string Route,
    AuthorizationLevel AuthLevel,
    RequestDelegate Invoke,
    string? RequiredScope = null,
    Type? BodyType = null,
    Action<EndpointBuilder>? DescribeResults = null) : FunctionDescriptor(Name), IHttpFunctionMetadata
{
    public override void Map(WebApplication app) => app.MapHttpFunction(this);

    public override string Describe(FunctionTableContext table)
        => $"[{string.Join(",", Methods)}] {table.Address.TrimEnd('/')}{HttpPipeline.RouteOf(table.RoutePrefix, this)} ({AuthLevel}{(RequiredScope is { } scope ? $"; scope {scope}" : "")})";
}
