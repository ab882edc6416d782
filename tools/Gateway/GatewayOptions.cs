namespace Fathom.Gateway;

public enum GatewayMode
{
    /// <summary>Every app starts with the gateway (like <c>func start</c>).</summary>
    Eager,

    /// <summary>Scale to zero: an HTTP app starts on its first request (which waits), a stream app when its stream has work; both stop when idle.</summary>
    OnDemand,
}

public sealed class GatewayOptions
{
    public int Port { get; set; } = 7071;

    public GatewayMode Mode { get; set; } = GatewayMode.Eager;

    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long an app may take from exec to answering /health/live (nine apps starting on two busy cores take a while).</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest wait between two attempts to start an app that keeps failing (the wait doubles from 1 s up to this).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Debug, Release (framework-dependent builds) or Aot (the Native AOT publish output).</summary>
    public string Binaries { get; set; } = "Debug";

    /// <summary>The repository root; apps run with it as working directory so they read local.settings.json.</summary>
    public string? Root { get; set; }

    public List<AppOptions> Apps { get; set; } = [];

    /// <summary>When not empty, only these apps are routed and run (e.g. <c>--Gateway:Only=Tasks,Web</c>).</summary>
    public string? Only { get; set; }

    /// <summary>Added to every app's port, so a second gateway (tests, benchmarks) can run beside the usual one.</summary>
    public int PortOffset { get; set; }

    /// <summary>What a <c>%Setting%</c> stream name means when the setting is not set (as in the apps).</summary>
    private static readonly Dictionary<string, string> DefaultStreams = new() { ["IngestStream"] = "fathom:ingest" };

    /// <summary>The apps this gateway runs, with <see cref="Only"/> and <see cref="PortOffset"/> applied.</summary>
    public GatewayOptions Resolved(Func<string, string?> setting)
    {
        var only = (Only ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Apps = Apps
            .Where(a => only.Length == 0 || only.Contains(a.Name, StringComparer.OrdinalIgnoreCase))
            .Select(a => new AppOptions
            {
                Name = a.Name,
                Port = a.Port + PortOffset,
                Routes = a.Routes,
                Stream = a.Stream is ['%', .. var name, '%'] ? setting(name) ?? DefaultStreams.GetValueOrDefault(name) : a.Stream,
                ConsumerGroup = a.ConsumerGroup,
                Command = a.Command,
            })
            .ToList();
        PortOffset = 0;
        return this;
    }
}

public sealed class AppOptions
{
    public string Name { get; set; } = "";

    public int Port { get; set; }

    /// <summary>Path prefixes routed to this app ("/" = everything no other app claims).</summary>
    public List<string> Routes { get; set; } = [];

    /// <summary>For stream-triggered apps: the stream and group whose backlog wakes the app.</summary>
    public string? Stream { get; set; }

    public string? ConsumerGroup { get; set; }

    /// <summary>Runs this instead of the app's build (executable, then arguments): another build, or a wrapper script.</summary>
    public List<string> Command { get; set; } = [];
}
