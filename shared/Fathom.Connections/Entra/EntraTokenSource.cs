using Azure.Core;
using Microsoft.Extensions.Logging;

namespace Fathom.Connections.Entra;

/// <summary>
/// The current Entra token of one resource: fetched once, handed out until its refresh time, then fetched again.
/// One fetch at a time; callers that arrive meanwhile wait for it instead of asking Entra again.
/// </summary>
public sealed partial class EntraTokenSource(EntraResource resource, TokenCredential credential, TimeProvider time, TimeSpan refreshMargin, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _fetch = new(1, 1);
    private Fetched? _current;

    public EntraResource Resource => resource;

    /// <summary>The token last fetched, even if due for refresh (still valid until it expires); null before the first fetch.</summary>
    public AccessToken? Current => _current?.Token;

    public async ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_current is { } fresh && time.GetUtcNow() < fresh.RefreshAt)
        {
            return fresh.Token;
        }
        await _fetch.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } fetchedMeanwhile && time.GetUtcNow() < fetchedMeanwhile.RefreshAt)
            {
                return fetchedMeanwhile.Token;
            }
            var fetchedAt = time.GetUtcNow();
            AccessToken token;
            try
            {
                token = await credential.GetTokenAsync(new TokenRequestContext([resource.Scope]), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogFetchFailed(logger, resource.Setting, resource.Scope, ex);
                throw new EntraSignInException(resource, ex);
            }
            var next = new Fetched(token, RefreshTime(token, fetchedAt));
            _current = next;
            LogFetched(logger, resource.Setting, token.ExpiresOn, next.RefreshAt);
            return token;
        }
        finally
        {
            _fetch.Release();
        }
    }

    /// <summary>When the current token should be replaced; <see cref="DateTimeOffset.MinValue"/> before the first fetch.</summary>
    public DateTimeOffset RefreshAt => _current?.RefreshAt ?? DateTimeOffset.MinValue;

    // The margin before expiry, but never more than half the token's life (a short-lived token would otherwise be
    // "due" the moment it arrives); and sooner if Entra says so (RefreshOn).
    private DateTimeOffset RefreshTime(AccessToken token, DateTimeOffset fetchedAt)
    {
        var life = token.ExpiresOn - fetchedAt;
        var margin = life / 2 < refreshMargin ? life / 2 : refreshMargin;
        var refreshAt = token.ExpiresOn - margin;
        return token.RefreshOn is { } hint && hint < refreshAt ? hint : refreshAt;
    }

    public void Dispose() => _fetch.Dispose();

    private sealed record Fetched(AccessToken Token, DateTimeOffset RefreshAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Entra token for {Setting} fetched; expires {ExpiresOn:o}, refreshed from {RefreshAt:o}")]
    private static partial void LogFetched(ILogger logger, string setting, DateTimeOffset expiresOn, DateTimeOffset refreshAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "No Entra token for {Setting} (scope {Scope})")]
    private static partial void LogFetchFailed(ILogger logger, string setting, string scope, Exception exception);
}
