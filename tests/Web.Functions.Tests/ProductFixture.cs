using System.Text.Json;
using Fathom.Testing;
using Microsoft.Playwright;

namespace Web.Functions.Tests;

/// <summary>The product as a user meets it: every app behind one gateway address, and a real browser.</summary>
public sealed class ProductFixture : IAsyncLifetime
{
    private readonly TestIdentity _identity = new();
    private TestDatabase _database = null!;
    private IPlaywright _playwright = null!;

    public FunctionAppProcess Gateway { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl => $"http://localhost:{Gateway.Port}";

    /// <summary>The one administrator (setting Operations__Administrators__0); the operations tests sign up with it.</summary>
    public string AdministratorEmail { get; } = $"ops-{Guid.NewGuid():N}@example.test";

    public string IngestStream { get; } = $"test:ingest:{Guid.NewGuid():N}";

    /// <summary>An app the gateway cannot start (its command exits at once), for the operations page to show failed.</summary>
    public const string BrokenApp = "Broken";

    public static string Screenshots { get; } = Path.Combine(RepoPaths.Root, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var port = FunctionAppProcess.FreePort();
        var settings = new Dictionary<string, string>(_identity.Settings)
        {
            ["PostgresConnection"] = _database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
            ["VectorStoreConnection"] = TestStack.VectorStore,
            ["IngestStream"] = IngestStream,
            ["Operations__Administrators__0"] = AdministratorEmail,
            ["Operations__HealthUrl"] = $"http://localhost:{port}/api/health",
            ["Host__CORS"] = $"http://localhost:{port}",
            ["Gateway__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway__Mode"] = "Eager",
            ["Gateway__Only"] = $"Auth,Users,Knowledge,Ingestion,Web,{BrokenApp}",
            // After the apps appsettings.json lists; this one never starts.
            [$"{GatewaySettings.ExtraAppPrefix}Name"] = BrokenApp,
            [$"{GatewaySettings.ExtraAppPrefix}Port"] = "7199",
            [$"{GatewaySettings.ExtraAppPrefix}Command__0"] = "/bin/sh",
            [$"{GatewaySettings.ExtraAppPrefix}Command__1"] = "-c",
            [$"{GatewaySettings.ExtraAppPrefix}Command__2"] = "exit 3",
            ["Gateway__Binaries"] = RepoPaths.Configuration,
            ["Gateway__PortOffset"] = FunctionAppProcess.FreePortOffset().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway__Root"] = RepoPaths.Root,
        };
        foreach (var (key, value) in TestStack.GenerousRateLimits())
        {
            settings[key] = value;
        }
        Gateway = await FunctionAppProcess.StartAsync("gateway", RepoPaths.ToolAssembly("Gateway", "fathom-gateway"), settings, port);
        await WaitReadyAsync();

        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        // Every page here waits on the real apps; on a busy 2-core machine a round trip may take longer than
        // Playwright's 5 s default without anything being wrong.
        Assertions.SetDefaultExpectTimeout(15_000);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
    }

    /// <summary>
    /// Until /api/health reports every real app ready (five apps on two busy cores can take a while). The gateway never
    /// prints "Fathom is ready" here, since <see cref="BrokenApp"/> never starts, and /api/health answers 503 for it.
    /// </summary>
    private async Task WaitReadyAsync()
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(3);
        var body = "";
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                using var response = await Gateway.Client.GetAsync("/api/health");
                body = await response.Content.ReadAsStringAsync();
                using var health = JsonDocument.Parse(body);
                if (health.RootElement.GetProperty("apps").EnumerateObject().All(a => a.Name == BrokenApp || a.Value.GetString() == "ready"))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException)
            {
                body = ex.Message;
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        throw new TimeoutException($"The apps were not ready in 3 minutes; /api/health said: {body}\n{Gateway.Output}");
    }

    public async Task DisposeAsync()
    {
        // xUnit disposes a fixture whose InitializeAsync threw (no chromium, apps not ready): stop what it had started,
        // or the gateway and its apps outlive the test run.
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
