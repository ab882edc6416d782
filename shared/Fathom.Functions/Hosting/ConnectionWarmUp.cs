using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fathom.Functions.Hosting;

/// <summary>Something that can open its connections ahead of the first request (a database pool, Redis).</summary>
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
internal sealed partial class ConnectionWarmUp(IEnumerable<IWarmUp> warmUps, ILogger<ConnectionWarmUp> logger) : BackgroundService
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

/// <summary>Connects the default Redis multiplexer when the app has a Redis setting.</summary>
internal sealed class RedisWarmUp(RedisConnections connections, IConfiguration configuration) : IWarmUp
{
    public string Name => "redis";

    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        if (configuration[RedisConnections.DefaultSetting] is not null)
        {
            await connections.GetAsync().WaitAsync(cancellationToken);
        }
    }
}
