using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Fathom.Functions.Hosting;

/// <summary>One multiplexer per connection setting name, opened on first use and shared by the process.</summary>
public sealed class RedisConnections(IConfiguration configuration) : IAsyncDisposable
{
    public const string DefaultSetting = "RedisConnection";

    private readonly ConcurrentDictionary<string, Lazy<Task<IConnectionMultiplexer>>> _connections = new(StringComparer.Ordinal);

    public Task<IConnectionMultiplexer> GetAsync(string settingName = DefaultSetting)
        => _connections.GetOrAdd(settingName, name => new Lazy<Task<IConnectionMultiplexer>>(() => ConnectAsync(name))).Value;

    private async Task<IConnectionMultiplexer> ConnectAsync(string settingName)
    {
        var value = configuration[settingName] ?? configuration.GetConnectionString(settingName)
            ?? throw new InvalidOperationException($"The Redis connection setting '{settingName}' is not set.");
        var options = ConfigurationOptions.Parse(value);
        options.AbortOnConnectFail = false;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values.Where(c => c.IsValueCreated))
        {
            try
            {
                await (await connection.Value).DisposeAsync();
            }
            catch (RedisException)
            {
                // Never connected; nothing to close.
            }
        }
    }
}
