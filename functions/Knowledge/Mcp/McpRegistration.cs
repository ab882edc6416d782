using Fathom.Functions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Knowledge.Functions.Mcp;

public static class McpRegistration
{
    public const string Route = "/api/mcp";

    public static FunctionsApplicationBuilder AddKnowledgeMcp(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<KnowledgeTools>();
        builder.Services.AddMcpServer(o => o.ServerInfo = new() { Name = "fathom-knowledge", Version = "1.0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<KnowledgeTools>(KnowledgeJson.Default.Options);
        return builder;
    }

    /// <summary>MCP is a protocol endpoint, not a function: mapped beside them, behind the same authentication.</summary>
    public static WebApplication MapKnowledgeMcp(this WebApplication app)
    {
        app.MapMcp(Route).RequireAuthorization();
        return app;
    }
}
