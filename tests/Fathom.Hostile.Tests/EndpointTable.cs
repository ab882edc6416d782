using System.Text.RegularExpressions;
using Fathom.Testing;

namespace Fathom.Hostile.Tests;

/// <summary>
/// One HTTP endpoint as an app announces it in its function table (or, for the protocol endpoints mapped beside the
/// functions, as <see cref="ProtocolEndpoints"/> lists them): app, function name, method, route template below the
/// app's address, authorization level and the API-key scope it declares.
/// </summary>
public sealed partial record Endpoint(string App, string Name, string Method, string Route, string Level, string? Scope, bool Protocol = false)
{
    public bool NeedsUser => Level == "User";

    public bool NeedsHostKey => Level is "Function" or "System" or "Admin";

    /// <summary>
    /// What an API key must hold: the declared scope, else read for GET/HEAD and write for every other method (the
    /// rule of <c>ScopeAllowsMethodHandler</c>).
    /// </summary>
    public string NeededScope => Scope ?? (Method is "GET" or "HEAD" ? "read" : "write");

    public bool ChangesData => NeededScope != "read";

    /// <summary>Route parameters in order: name, constraint (<c>guid</c>, or null) and whether it is a catch-all.</summary>
    public IReadOnlyList<(string Name, string? Constraint, bool CatchAll)> Parameters { get; } =
        [.. RouteParameter().Matches(Route).Select(m => (m.Groups["name"].Value, m.Groups["constraint"].Success ? m.Groups["constraint"].Value : null, m.Groups["star"].Success))];

    /// <summary>The literal segment before a parameter (<c>collections</c> for <c>collections/{id}</c>): what kind of thing it names.</summary>
    public string? SegmentBefore(string parameter)
    {
        var segments = Route.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i < segments.Length; i++)
        {
            if (RouteParameter().Match(segments[i]) is { Success: true } m && m.Groups["name"].Value == parameter)
            {
                return segments[i - 1];
            }
        }
        return null;
    }

    /// <summary>The route with each parameter replaced by what <paramref name="value"/> gives for it (already escaped).</summary>
    public string Fill(Func<(string Name, string? Constraint, bool CatchAll), string> value)
        => RouteParameter().Replace(Route, m => value((m.Groups["name"].Value, m.Groups["constraint"].Success ? m.Groups["constraint"].Value : null, m.Groups["star"].Success)));

    public override string ToString() => $"{App}.{Name} {Method} {Route}";

    [GeneratedRegex(@"\{(?<star>\*{1,2})?(?<name>\w+)(?::(?<constraint>\w+))?\}")]
    private static partial Regex RouteParameter();
}

public static partial class EndpointTable
{
    /// <summary>
    /// Endpoints that are not functions (so not in any function table) but take requests all the same: MCP (a protocol
    /// endpoint beside Assistants' functions, behind the same authentication, read scope; its GET, a 405, is fuzzed as
    /// another method of the route) and its RFC 9728 metadata. Host endpoints every app serves (/health/*, /metrics)
    /// are added per app.
    /// </summary>
    public static IEnumerable<Endpoint> ProtocolEndpoints(string app) => app switch
    {
        "Assistants" =>
        [
            new(app, "Mcp", "POST", "/api/mcp", "User", "read", Protocol: true),
            new(app, "ProtectedResourceMetadata", "GET", "/.well-known/oauth-protected-resource/{**resource}", "Anonymous", null, Protocol: true),
        ],
        _ => [],
    };

    public static IEnumerable<Endpoint> HostEndpoints(string app) =>
    [
        new(app, "HealthLive", "GET", "/health/live", "Anonymous", null, Protocol: true),
        new(app, "HealthReady", "GET", "/health/ready", "Anonymous", null, Protocol: true),
        new(app, "Metrics", "GET", "/metrics", "Anonymous", null, Protocol: true),
    ];

    /// <summary>Reads the function table an app printed on start (one endpoint per method of each HTTP function).</summary>
    public static IReadOnlyList<Endpoint> Parse(string app, string output)
    {
        var endpoints = new List<Endpoint>();
        foreach (Match m in Line().Matches(output))
        {
            var path = m.Groups["path"].Success ? m.Groups["path"].Value : "/";
            foreach (var method in m.Groups["methods"].Value.Split(','))
            {
                endpoints.Add(new Endpoint(app, m.Groups["name"].Value, method.ToUpperInvariant(), path, m.Groups["level"].Value, m.Groups["scope"].Success ? m.Groups["scope"].Value : null));
            }
        }
        return endpoints;
    }

    /// <summary>Waits until the app has printed its whole table (it is written once the app listens), then reads it.</summary>
    public static async Task<IReadOnlyList<Endpoint>> ReadAsync(FunctionAppProcess app)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var output = app.Output;
            var start = output.IndexOf("Functions (", StringComparison.Ordinal);
            // Header line, empty line, the entries, an empty line.
            if (start >= 0 && output[start..].Split('\n') is var lines && Array.IndexOf(lines, "", 2) > 2)
            {
                var table = Parse(app.Name, output[start..]);
                if (table.Count > 0)
                {
                    return table;
                }
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{app.Name} printed no function table:\n{output}");
            }
            await Task.Delay(50);
        }
    }

    // "        SearchCollection: [POST] http://127.0.0.1:41234/api/collections/{id:guid}/search (User; scope read)"
    [GeneratedRegex(@"^ {8}(?<name>\w+): \[(?<methods>[A-Za-z,]+)\] https?://[^/\s]+(?<path>/\S*)? \((?<level>\w+)(?:; scope (?<scope>\w+))?\)\r?$", RegexOptions.Multiline)]
    private static partial Regex Line();
}
