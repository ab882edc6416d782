using System.Collections.Concurrent;
using Fathom.Connections.Entra;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Fathom.Redis;

/// <summary>
/// One multiplexer per connection setting name, opened on first use and shared by the process. With
/// <c>AzureIdentity__Enabled</c> it signs in with Entra tokens (<see cref="EntraRedisSignIn"/>) instead of a password.
/// </summary>
public sealed class RedisConnections(IConfiguration configuration, EntraRedisSignIn? entra = null, RedisTracing? tracing = null) : IAsyncDisposable
{
    public const string DefaultSetting = "RedisConnection";

    private readonly ConcurrentDictionary<string, Lazy<Task<IConnectionMultiplexer>>> _connections = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _reauthentication = [];

    public Task<IConnectionMultiplexer> GetAsync(string settingName = DefaultSetting)
        => _connections.GetOrAdd(settingName, name => new Lazy<Task<IConnectionMultiplexer>>(() => ConnectAsync(name))).Value;

    private async Task<IConnectionMultiplexer> ConnectAsync(string settingName)
    {
        var value = configuration[settingName] ?? configuration.GetConnectionString(settingName)
            ?? throw new InvalidOperationException($"The Redis connection setting '{settingName}' is not set.");
        var options = ConfigurationOptions.Parse(value);
        if (entra is { Enabled: true })
        {
            try
            {
                await entra.PrepareAsync(options, settingName, _stopping.Token);
            }
            catch (EntraSignInException)
            {
                // Not cached: the next caller tries again (a token endpoint that failed once may answer now).
                _connections.TryRemove(settingName, out _);
                throw;
            }
        }
        options.AbortOnConnectFail = false;
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
        tracing?.Instrument(multiplexer);
        if (entra is { Enabled: true })
        {
            lock (_reauthentication)
            {
                _reauthentication.Add(entra.KeepAuthenticatedAsync(multiplexer, settingName, _stopping.Token));
            }
        }
        return multiplexer;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] loops;
        lock (_reauthentication)
        {
            loops = [.. _reauthentication];
        }
        await Task.WhenAll(loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var connection in _connections.Values.Where(c => c.IsValueCreated))
        {
            try
            {
                await (await connection.Value).DisposeAsync();
            }
            catch (Exception ex) when (ex is RedisException or EntraSignInException)
            {
                // Never connected; nothing to close.
            }
        }
        _stopping.Dispose();
    }
}
