using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Fathom.Testing;

namespace Fathom.Gateway.Tests;

/// <summary>The local gateway: one address for every app, and (OnDemand) apps that sleep until needed.</summary>
public sealed class GatewayTests : GatewayFixture
{
    /// <summary>The gateway's <c>/api/health</c> (200 or 503, both with the document).</summary>
    private static async Task<Health> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/health");
        return (await response.Content.ReadFromJsonAsync<Health>())!;
    }

    /// <summary>Until <paramref name="app"/>'s state in /api/health is <paramref name="state"/>; a timeout names the last state seen.</summary>
    private static async Task AppStateAsync(HttpClient client, string app, string state, TimeSpan timeout)
    {
        var last = "(no answer yet)";
        await Eventually(async () => (last = (await HealthAsync(client)).Apps[app]) == state, timeout, () => $"{app} {state} (last seen: {last})");
    }

    private static Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what) => Eventually(condition, timeout, () => what);

    private static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Timed out waiting for: {what()}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Eager_mode_serves_api_and_ui_from_one_address_and_reports_health()
    {
        var (gateway, client) = await StartAsync("Eager", "Tasks,Web");
        await using (gateway)
        using (client)
        {
            await AppStateAsync(client, "Tasks", "ready", TimeSpan.FromSeconds(90));

            using var health = await client.GetAsync("/api/health");
            using var created = await client.PostAsJsonAsync("/api/tasks", new { title = "Through the gateway" });
            using var page = await client.GetAsync("/");

            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Functions (Tasks.Functions", gateway.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Mcp_clients_find_the_resource_metadata_through_the_gateway_and_other_well_known_paths_are_not_the_ui()
    {
        var (gateway, client) = await StartAsync("Eager", "Assistants,Web");
        await using (gateway)
        using (client)
        {
            await Eventually(async () => (await HealthAsync(client)).Apps is var apps
                && apps["Assistants"] == "ready" && apps["Web"] == "ready", TimeSpan.FromSeconds(60), "Assistants and Web ready");
            using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };
            var address = client.BaseAddress!.GetLeftPart(UriPartial.Authority);

            using var refused = await anonymous.PostAsJsonAsync("/api/mcp", new { jsonrpc = "2.0", id = 1, method = "tools/list" });
            var metadata = await anonymous.GetFromJsonAsync<ResourceMetadata>("/.well-known/oauth-protected-resource/api/mcp");
            using var authorizationServer = await anonymous.GetAsync("/.well-known/oauth-authorization-server");
            using var page = await anonymous.GetAsync("/tasks");

            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            // The links point back through the gateway (X-Forwarded-Host), not at the app's own port.
            Assert.Equal($"Bearer resource_metadata=\"{address}/.well-known/oauth-protected-resource/api/mcp\"", refused.Headers.WwwAuthenticate.ToString());
            Assert.Equal($"{address}/api/mcp", metadata!.Resource);
            // The default issuer "fathom" is no URL, so the server that issues the tokens is named by its address.
            Assert.Equal(address, metadata.AuthorizationServers[0]);
            Assert.Equal(HttpStatusCode.NotFound, authorizationServer.StatusCode);
            Assert.Equal("application/problem+json", authorizationServer.Content.Headers.ContentType?.MediaType);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task On_demand_an_http_app_starts_on_its_first_request_and_stops_when_idle()
    {
        var (gateway, client) = await StartAsync("OnDemand", "Tasks", idle: "00:00:02");
        await using (gateway)
        using (client)
        {
            Assert.Equal("idle", (await HealthAsync(client)).Apps["Tasks"]);

            var timer = Stopwatch.StartNew();
            using var first = await client.GetAsync("/api/tasks");
            var cold = timer.Elapsed;

            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("ready", (await HealthAsync(client)).Apps["Tasks"]);
            await AppStateAsync(client, "Tasks", "idle", TimeSpan.FromSeconds(20));
            Assert.Contains("Stopping Tasks: idle", gateway.Output, StringComparison.Ordinal);
            Assert.True(cold < TimeSpan.FromSeconds(30), $"cold start took {cold}");
        }
    }

    [Fact]
    public async Task On_demand_the_stream_app_wakes_for_a_backlog_and_sleeps_once_drained()
    {
        var (gateway, client) = await StartAsync("OnDemand", "Knowledge,Ingestion", idle: "00:00:02");
        await using (gateway)
        using (client)
        {
            var (collection, document) = await UploadAsync(client, "Woken", "wake.txt", "Sleeping apps wake up when work arrives.");

            // Indexed by a woken Ingestion app.
            await WaitCompleteAsync(client, collection, document, TimeSpan.FromSeconds(60));
            Assert.Contains("Ingestion is up", gateway.Output, StringComparison.Ordinal);
            await AppStateAsync(client, "Ingestion", "idle", TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>Settings that add an app named <paramref name="name"/> (after the real ones) run by the slow test app.</summary>
    private static Dictionary<string, string> SlowApp(string name, int port, string route, string startTimeout, int firstDelayMs, int laterDelayMs) => new()
    {
        [$"{GatewaySettings.ExtraAppPrefix}Name"] = name,
        [$"{GatewaySettings.ExtraAppPrefix}Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"{GatewaySettings.ExtraAppPrefix}Routes__0"] = route,
        [$"{GatewaySettings.ExtraAppPrefix}Command__0"] = "dotnet",
        [$"{GatewaySettings.ExtraAppPrefix}Command__1"] = Path.Combine(RepoPaths.Root, "tests", "Fathom.Gateway.Tests.SlowApp", "bin", RepoPaths.Configuration, "net10.0", "Fathom.Gateway.Tests.SlowApp.dll"),
        [$"{GatewaySettings.ExtraAppPrefix}Command__2"] = firstDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"{GatewaySettings.ExtraAppPrefix}Command__3"] = laterDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Gateway__StartTimeout"] = startTimeout,
    };

    [Fact]
    public async Task An_app_slower_than_any_probe_timeout_is_waited_for_while_the_gateway_stays_up()
    {
        // The first probe is answered after 6 s (a cold JIT app on two busy cores), later requests at once.
        var offset = FunctionAppProcess.FreePortOffset();
        var (gateway, client) = await StartAsync("Eager", "Slow,Tasks", extra: SlowApp("Slow", FunctionAppProcess.FreePort() - offset, "/api/slow", "00:01:00", 6000, 0), portOffset: offset);
        await using (gateway)
        using (client)
        {
            var states = new List<string>();
            await Eventually(async () =>
            {
                var health = await HealthAsync(client);
                states.Add(health.Apps["Slow"]);
                return states[^1] == "ready" && health.Apps["Tasks"] == "ready";
            }, TimeSpan.FromSeconds(90), "Slow and Tasks ready");
            await gateway.WaitForOutputAsync("Fathom is ready: http://localhost:", TimeSpan.FromSeconds(10));
            using var proxied = await client.GetAsync("/api/slow/anything");

            Assert.Contains("starting", states);
            Assert.False(gateway.HasExited, gateway.Output);
            Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
            Assert.Equal("slow but fine", await proxied.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task An_app_whose_readiness_answers_after_the_probe_timeout_is_slow_and_the_product_healthy()
    {
        // Live at once, then every answer takes 7 s: a machine so busy the 5 s readiness probe runs out.
        var offset = FunctionAppProcess.FreePortOffset();
        var (gateway, client) = await StartAsync("Eager", "Slow", extra: SlowApp("Slow", FunctionAppProcess.FreePort() - offset, "/api/slow", "00:01:00", 0, 7000), portOffset: offset);
        await using (gateway)
        using (client)
        {
            await gateway.WaitForOutputAsync("Fathom is ready: http://localhost:", TimeSpan.FromSeconds(60));
            using var response = await client.GetAsync("/api/health");
            var health = await response.ReadAsync<Health>();

            Assert.Equal("healthy", health.Status);
            Assert.StartsWith("slow: /health/ready gave no answer within 5 s", health.Apps["Slow"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_app_that_never_answers_is_reported_failed_and_retried_while_the_others_serve()
    {
        var offset = FunctionAppProcess.FreePortOffset();
        var (gateway, client) = await StartAsync("Eager", "Stuck,Tasks", extra: SlowApp("Stuck", FunctionAppProcess.FreePort() - offset, "/api/stuck", "00:00:03", -1, -1), portOffset: offset);
        await using (gateway)
        using (client)
        {
            // Each state on its own: Stuck alternates between failed and starting as it is retried, so both at one
            // instant is luck. Tasks serving is the point: on a busy machine its readiness probe may outlast its 5 s
            // ("slow: ..."), which the gateway counts as up too.
            var tasks = "(no answer yet)";
            await Eventually(async () => (tasks = (await HealthAsync(client)).Apps["Tasks"]) is "ready" || tasks.StartsWith("slow:", StringComparison.Ordinal),
                TimeSpan.FromSeconds(120), () => $"Tasks ready (last seen: {tasks})");
            string? stuckState = null;
            await Eventually(async () =>
            {
                stuckState = (await HealthAsync(client)).Apps["Stuck"];
                return stuckState.StartsWith("failed:", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(90), "Stuck reported failed");
            using var refused = await client.GetAsync("/api/stuck/anything");
            var problem = await refused.ReadAsync<Problem>(HttpStatusCode.ServiceUnavailable);
            using var served = await client.PostAsJsonAsync("/api/tasks", new { title = "Served beside a broken app" });
            // Retried with backoff: a second failed start shows in the log within the next few seconds.
            await Eventually(() => Task.FromResult(CountOf(gateway.Output, "Stuck failed to start") >= 2), TimeSpan.FromSeconds(30), "a second attempt to start Stuck");
            using var live = await client.GetAsync("/health/live");

            Assert.Contains("did not answer /health/live within 3 s", stuckState, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("did not answer /health/live", problem.Detail, StringComparison.Ordinal);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is set");
            Assert.Equal(HttpStatusCode.Created, served.StatusCode);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.False(gateway.HasExited, gateway.Output);
            Assert.DoesNotContain("Fathom is ready", gateway.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_app_whose_port_another_process_holds_is_reported_failed_not_up()
    {
        // A leftover process on Tasks' port would answer its probes while Tasks itself fails to bind.
        var offset = FunctionAppProcess.FreePortOffset();
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 7106 + offset);
        squatter.Start();
        var (gateway, client) = await StartAsync("Eager", "Tasks", portOffset: offset);
        await using (gateway)
        using (client)
        {
            string? state = null;
            await Eventually(async () => (state = (await HealthAsync(client)).Apps["Tasks"]).StartsWith("failed:", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "Tasks reported failed");

            Assert.Contains($"port {7106 + offset} is taken by another process", state, StringComparison.Ordinal);
            Assert.DoesNotContain("Tasks is up", gateway.Output, StringComparison.Ordinal);
            Assert.False(gateway.HasExited);
        }
    }

    [Fact]
    public async Task A_gateway_that_cannot_listen_exits_non_zero_with_a_plain_message()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var offset = FunctionAppProcess.FreePortOffset();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { RepoPaths.ToolAssembly("Gateway", "fathom-gateway"), $"--Gateway:Port={port}", "--Gateway:Only=Tasks", $"--Gateway:PortOffset={offset}", $"--Gateway:Root={RepoPaths.Root}", $"--Gateway:Binaries={RepoPaths.Configuration}" })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains($"fathom gateway: cannot listen on http://localhost:{port}", await stderr, StringComparison.Ordinal);
        // Nothing it started outlives it: an orphaned Tasks would hold its port against the next ./fathom start.
        await Task.Delay(TimeSpan.FromSeconds(3));
        using var probe = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, 7106 + offset));
    }

    private static int CountOf(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    private sealed record Health(string Status, IReadOnlyDictionary<string, string> Apps);

    /// <summary>RFC 9728 protected resource metadata (snake_case on the wire).</summary>
    private sealed record ResourceMetadata(string Resource, [property: System.Text.Json.Serialization.JsonPropertyName("authorization_servers")] string[] AuthorizationServers);

}
