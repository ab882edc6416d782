using Fathom.Gateway;
using StackExchange.Redis;

// appsettings.json sits beside the binary; the working directory is the repo root.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddGatewayConfiguration();
var options = (builder.Configuration.GetSection("Gateway").Get<GatewayOptions>() ?? new GatewayOptions()).Resolved(name => builder.Configuration[name]);
// Loopback only: the local gateway is for this machine; a cluster has its Ingress.
builder.WebHost.UseUrls($"http://localhost:{options.Port}");
builder.Services.AddAppFleet(options);
builder.Services.AddReverseProxy().LoadFromMemory(GatewayRoutes.Routes(options), GatewayRoutes.Clusters(options));

var app = builder.Build();
app.MapGatewayHealth();
app.MapReverseProxy(proxy => proxy.UseAppWakeUp());
app.Lifetime.ApplicationStarted.Register(() => GatewayRoutes.Print(options));
app.Run();
