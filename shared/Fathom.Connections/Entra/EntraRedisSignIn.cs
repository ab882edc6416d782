using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fathom.Connections.Entra;

/// <summary>
/// Signs a Redis multiplexer in with Entra tokens: a token is fetched before the first connect, every reconnect uses the
/// current one (<see cref="EntraRedisOptionsProvider"/>), and before a token expires a fresh one is fetched and sent
/// with <c>AUTH</c> on every connected server, because Azure Cache for Redis closes a connection whose token lapsed.
/// </summary>
public sealed partial class EntraRedisSignIn(EntraTokens tokens, IOptions<AzureIdentityOptions> options, TimeProvider time, ILogger<EntraRedisSignIn> logger)
{
    public bool Enabled => options.Value.Enabled;

    /// <summary>Fetches the token and puts the user and token provider into <paramref name="redis"/>, before it connects.</summary>
    public async Task PrepareAsync(ConfigurationOptions redis, string setting, CancellationToken cancellationToken)
    {
        var source = tokens.ForRedis(setting);
        await source.GetTokenAsync(cancellationToken);
        redis.Defaults = new EntraRedisOptionsProvider(source, options.Value.RedisUserName!);
    }

    /// <summary>Re-authenticates <paramref name="multiplexer"/> before each token expires, until <paramref name="stopping"/> is cancelled.</summary>
    public async Task KeepAuthenticatedAsync(IConnectionMultiplexer multiplexer, string setting, CancellationToken stopping)
    {
        var source = tokens.ForRedis(setting);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var wait = source.RefreshAt - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stopping);
                }
                var token = await source.GetTokenAsync(stopping);
                await ReauthenticateAsync(multiplexer, token.Token, stopping);
                if (source.RefreshAt <= time.GetUtcNow())
                {
                    // A token already due (expiry in the past): do not spin on the token endpoint.
                    await Task.Delay(options.Value.RetryInterval, time, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (EntraSignInException ex)
            {
                // The current token is still good until it expires; try again soon.
                LogRefreshFailed(logger, setting, ex);
                await Task.Delay(options.Value.RetryInterval, time, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Sends <c>AUTH user token</c> on every connected server; returns how many accepted it.</summary>
    public async Task<int> ReauthenticateAsync(IConnectionMultiplexer multiplexer, string token, CancellationToken cancellationToken)
    {
        var accepted = 0;
        foreach (var server in multiplexer.GetServers().Where(s => s.IsConnected))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await server.ExecuteAsync("AUTH", options.Value.RedisUserName!, token);
                accepted++;
            }
            catch (RedisException ex)
            {
                // A connection that drops before its token is renewed reconnects with the current token.
                LogReauthenticationFailed(logger, server.EndPoint.ToString() ?? "?", ex);
            }
        }
        LogReauthenticated(logger, accepted);
        return accepted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis re-authenticated with a fresh Entra token on {Servers} server(s)")]
    private static partial void LogReauthenticated(ILogger logger, int servers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis server {EndPoint} refused the fresh Entra token")]
    private static partial void LogReauthenticationFailed(ILogger logger, string endPoint, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the Entra token of {Setting}; retrying")]
    private static partial void LogRefreshFailed(ILogger logger, string setting, Exception exception);
}
