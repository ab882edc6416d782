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
            ["IngestStream"] = $"test:ingest:{Guid.NewGuid():N}",
            ["Host__CORS"] = $"http://localhost:{port}",
            ["Gateway__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway__Mode"] = "Eager",
            ["Gateway__Only"] = "Auth,Users,Knowledge,Ingestion,Web",
            ["Gateway__Binaries"] = RepoPaths.Configuration,
            ["Gateway__PortOffset"] = (20000 + Random.Shared.Next(0, 20000)).ToString(System.Globalization.CultureInfo.InvariantCulture),
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

    /// <summary>Until the gateway says every app is live (eight apps on two busy cores can take a while).</summary>
    private async Task WaitReadyAsync()
    {
        await Gateway.WaitForOutputAsync("Fathom is ready", TimeSpan.FromMinutes(3));
        using var response = await Gateway.Client.GetAsync("/api/health");
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The gateway said ready but /api/health answered {(int)response.StatusCode}: {body}\n{Gateway.Output}");
        }
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Gateway.DisposeAsync();
        await _database.DisposeAsync();
    }
}
