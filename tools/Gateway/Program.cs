using Fathom.Gateway;

// appsettings.json sits beside the binary; the working directory is the repo root.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddGatewayConfiguration();
var options = (builder.Configuration.GetSection("Gateway").Get<GatewayOptions>() ?? new GatewayOptions()).Resolved(name => builder.Configuration[name]);
// Loopback only: the local gateway is for this machine; a cluster has its Ingress.
builder.WebHost.UseUrls($"http://localhost:{options.Port}");
// Bodies pass through as the cluster's ingress passes them: each app enforces its own limit and says so in problem details.
builder.WebHost.ConfigureKestrel(k =>
{
    k.Limits.MaxRequestBodySize = null;
    k.AddServerHeader = false;
});
builder.Services.AddAppFleet(options);
// A sleeping app may take its whole start to answer for its document.
builder.Services.AddHttpClient(OpenApiEndpoints.HttpClientName, client => client.Timeout = options.StartTimeout + TimeSpan.FromSeconds(30));
builder.Services.AddGatewayMetrics();
builder.AddGatewayTracing();
builder.Services.AddReverseProxy().LoadFromMemory(GatewayRoutes.Routes(options), GatewayRoutes.Clusters(options));

var app = builder.Build();
var fleet = app.Services.GetRequiredService<AppFleet>();
if (fleet.Apps.All(a => !a.IsBuilt))
{
    return GatewayExit.Fail("no function app is built; run 'dotnet build Functions.sln' (./fathom start does) and start again");
}
app.MapGatewayHealth();
app.MapOpenApiDocs(options);
app.MapGatewayMetrics();
app.MapReverseProxy(proxy =>
{
    proxy.UseAppWakeUp();
    proxy.UseProxyErrorProblems();
});
app.Lifetime.ApplicationStarted.Register(() => GatewayRoutes.Print(options));
try
{
    await app.RunAsync();
}
catch (IOException ex)
{
    // The fleet may have started apps before the bind failed; the host does not stop what started before it failed.
    await fleet.StopAsync(CancellationToken.None);
    return GatewayExit.Fail($"cannot listen on http://localhost:{options.Port}: {ex.Message} (another gateway running? stop it or pass --Gateway:Port=N)");
}
// The fleet never ends on its own; if it did, the gateway was not serving what it promised.
return fleet.ExecuteTask is { IsFaulted: true } ? GatewayExit.Fail($"the app supervisor stopped: {fleet.ExecuteTask.Exception?.GetBaseException().Message}") : 0;
