using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fathom.Connections;

/// <summary>
/// Something that can open its connections ahead of the first request (a database pool, Redis). Libraries register
/// theirs as <c>IWarmUp</c> services; the host runs them all through <see cref="ConnectionWarmUp"/>.
/// </summary>
public interface IWarmUp
{
    string Name { get; }

    Task WarmUpAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Opens connections while Kestrel starts and the gateway or KEDA interceptor is still probing, so the first request
/// after scale-from-zero does not pay Redis and Postgres handshakes serially. Start-up never waits for it, and a
/// failure only means the first request connects itself.
/// </summary>
public sealed partial class ConnectionWarmUp(IEnumerable<IWarmUp> warmUps, ILogger<ConnectionWarmUp> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(warmUps.Select(async warmUp =>
    {
        try
        {
            await warmUp.WarmUpAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWarmUpFailed(logger, warmUp.Name, ex.Message);
        }
    }));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warming up {Name} failed ({Reason}); the first request will connect")]
    private static partial void LogWarmUpFailed(ILogger logger, string name, string reason);
}
