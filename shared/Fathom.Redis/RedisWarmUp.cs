using Fathom.Connections;
using Microsoft.Extensions.Configuration;

namespace Fathom.Redis;

/// <summary>Connects the default Redis multiplexer when the app has a Redis setting.</summary>
public sealed class RedisWarmUp(RedisConnections connections, IConfiguration configuration) : IWarmUp
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
