using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Knowledge.Functions.Operations;

/// <summary>
/// Each app's state, read from one health document (<see cref="OperationsOptions.HealthUrl"/>; locally the gateway's
/// <c>/api/health</c>, which knows idle, starting, ready and "failed: reason" because it runs the apps).
/// </summary>
public sealed partial class AppStates(IHttpClientFactory http, IOptions<OperationsOptions> options, ILogger<AppStates> logger)
{
    public const string Client = "operations-health";

    public async Task<AppStatesResult> ReadAsync(CancellationToken ct)
    {
        if (options.Value.HealthUrl is not { } url)
        {
            return new AppStatesResult([], "No health source is configured (setting Operations__HealthUrl).");
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            // The gateway answers 503 when an app failed, with the same body: read it whatever the status.
            using var response = await http.CreateClient(Client).GetAsync(url, timeout.Token);
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token);
            if (!document.RootElement.TryGetProperty("apps", out var apps) || apps.ValueKind != JsonValueKind.Object)
            {
                return new AppStatesResult([], $"{url} answered {(int)response.StatusCode} without an \"apps\" object.");
            }
            return new AppStatesResult(apps.EnumerateObject().Select(a => Parse(a.Name, a.Value.GetString() ?? "")).ToList(), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            LogUnavailable(logger, ex, url);
            return new AppStatesResult([], $"{url} did not answer: {ex.Message}");
        }
    }

    /// <summary>"failed: port in use" is state failed with its reason; other states come as they are.</summary>
    public static AppStatus Parse(string name, string state)
        => state.StartsWith("failed", StringComparison.Ordinal)
            ? new AppStatus(name, "failed", state.Length > 7 ? state[7..].TrimStart() : null)
            : new AppStatus(name, state, null);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App states unavailable: {Url} did not answer")]
    private static partial void LogUnavailable(ILogger logger, Exception ex, Uri url);
}

public sealed record AppStatus(string Name, string State, string? Reason);

/// <summary>The apps, or why they could not be read.</summary>
public sealed record AppStatesResult(IReadOnlyList<AppStatus> Apps, string? Unavailable);
