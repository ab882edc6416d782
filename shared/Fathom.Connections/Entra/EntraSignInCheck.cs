using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fathom.Connections.Entra;

/// <summary>
/// Fetches a token for every configured connection before the app serves, so that a missing or misconfigured identity
/// stops the start with one clear message (<see cref="EntraSignInException"/>) instead of a failed readiness probe and
/// an authentication error per request. The tokens are cached, so the first connections do not ask again.
/// </summary>
internal sealed class EntraSignInCheck(IOptions<AzureIdentityOptions> options, IConfiguration configuration, EntraTokens tokens) : IHostedService
{
    // Long enough for a slow token endpoint, short enough that a pod that cannot sign in fails before its start-up probe.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        var sources = ConnectionSettings.Postgres.Where(IsSet).Select(tokens.ForPostgres)
            .Concat(ConnectionSettings.Redis.Where(IsSet).Select(tokens.ForRedis));
        // At once: scale-from-zero pays this before the first request.
        await Task.WhenAll(sources.Select(source => FetchAsync(source, cancellationToken)));
    }

    private static async Task FetchAsync(EntraTokenSource source, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(Timeout);
        try
        {
            await source.GetTokenAsync(timeout.Token);
        }
        catch (OperationCanceledException ex) when (!stopping.IsCancellationRequested)
        {
            // A token endpoint that never answers must read as that, not as "the operation was canceled".
            throw new EntraSignInException(source.Resource, new TimeoutException($"No answer within {Timeout.TotalSeconds:0} s.", ex));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private bool IsSet(string setting) => ConnectionSettings.Value(configuration, setting) is not null;
}
