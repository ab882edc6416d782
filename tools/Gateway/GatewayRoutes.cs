using Yarp.ReverseProxy.Configuration;

namespace Fathom.Gateway;

/// <summary>The same path routing the cluster's Ingress does: <c>/api/&lt;area&gt;</c> to the app that owns it.</summary>
public static class GatewayRoutes
{
    public static IReadOnlyList<RouteConfig> Routes(GatewayOptions options)
        => options.Apps.SelectMany(app => app.Routes.Select((prefix, i) => new RouteConfig
        {
            RouteId = $"{app.Name}-{i}",
            ClusterId = app.Name,
            // "/" is the fallback (the Web app): every other prefix wins over it.
            Order = prefix == "/" ? 1000 : 0,
            Match = new RouteMatch { Path = prefix == "/" ? "/{**rest}" : prefix.TrimEnd('/') + "/{**rest}" },
        })).ToList();

    public static IReadOnlyList<ClusterConfig> Clusters(GatewayOptions options)
        => options.Apps.Where(a => a.Routes.Count > 0).Select(app => new ClusterConfig
        {
            ClusterId = app.Name,
            Destinations = new Dictionary<string, DestinationConfig> { ["local"] = new() { Address = $"http://127.0.0.1:{app.Port}" } },
            HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(5) },
        }).ToList();

    public static void Print(GatewayOptions options)
    {
        var lines = new List<string> { "", $"Fathom gateway on http://localhost:{options.Port} (mode {options.Mode}):", "" };
        foreach (var app in options.Apps)
        {
            var what = app.Routes.Count > 0 ? string.Join(", ", app.Routes) : app.Stream is not null ? $"stream {app.Stream} (group {app.ConsumerGroup})" : "timers";
            lines.Add($"        {app.Name,-12} :{app.Port}  {what}");
        }
        lines.Add("");
        lines.Add($"        health: http://localhost:{options.Port}/api/health");
        lines.Add("");
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
    }
}

/// <summary>How the gateway ends when it cannot serve: one plain line on stderr and a non-zero exit code.</summary>
public static class GatewayExit
{
    public static int Fail(string reason)
    {
        Console.Error.WriteLine($"fathom gateway: {reason}");
        return 1;
    }
}
