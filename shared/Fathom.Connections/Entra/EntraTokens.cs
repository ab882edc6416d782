using System.Collections.Concurrent;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fathom.Connections.Entra;

/// <summary>One <see cref="EntraTokenSource"/> per connection setting, shared by everything that connects with it.</summary>
public sealed class EntraTokens(TokenCredential credential, TimeProvider time, IOptions<AzureIdentityOptions> options, ILoggerFactory loggers) : IDisposable
{
    private readonly ConcurrentDictionary<string, EntraTokenSource> _sources = new(StringComparer.Ordinal);

    public EntraTokenSource ForPostgres(string setting) => For(EntraResource.Postgres(setting));

    public EntraTokenSource ForRedis(string setting) => For(EntraResource.Redis(setting));

    public void Dispose()
    {
        foreach (var source in _sources.Values)
        {
            source.Dispose();
        }
    }

    private EntraTokenSource For(EntraResource resource)
        => _sources.GetOrAdd(resource.Setting, _ => new EntraTokenSource(
            resource, credential, time, options.Value.RefreshMargin, loggers.CreateLogger<EntraTokenSource>()));
}
