using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Assistants.Functions.Mcp;

/// <summary>
/// The MCP SDK's POST endpoint, built on the first MCP request instead of at start. Building it reflects over the
/// tools (their JSON schemas) and the SDK's handlers: at start that was 6 % of the samples, 2.8 MB of allocations
/// and a gen2 collection that every REST call after a scale from zero waited for (bench/ANALYSIS.md, section 4). The
/// SDK maps its endpoints into this private route builder; the one that answers POST on the pattern itself is the one
/// stateless streamable HTTP uses.
/// </summary>
internal sealed class DeferredMcpEndpoint : IEndpointRouteBuilder
{
    private readonly IServiceProvider _services;
    private readonly Lazy<RequestDelegate> _post;

    public DeferredMcpEndpoint(IServiceProvider services)
    {
        _services = services;
        _post = new Lazy<RequestDelegate>(Build, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public IServiceProvider ServiceProvider => _services;

    public ICollection<EndpointDataSource> DataSources { get; } = [];

    public IApplicationBuilder CreateApplicationBuilder() => new ApplicationBuilder(_services);

    public Task InvokeAsync(HttpContext http) => _post.Value(http);

    private RequestDelegate Build()
    {
        this.MapMcp();
        return DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Single(e => e.RoutePattern.PathSegments.Count == 0 && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post) == true)
            .RequestDelegate ?? throw new InvalidOperationException("The MCP SDK's POST endpoint has no request delegate.");
    }
}
