using StackExchange.Redis.Configuration;

namespace Fathom.Connections.Entra;

/// <summary>
/// Azure's defaults for StackExchange.Redis, with the user and the current Entra token as password. The multiplexer
/// reads <c>ConfigurationOptions.User</c>/<c>Password</c> (which fall back to these) at every handshake, so a
/// reconnect signs in with the token current at that moment, not the one of the first connect.
/// </summary>
internal sealed class EntraRedisOptionsProvider(EntraTokenSource tokens, string user) : AzureOptionsProvider
{
    public override string? User => user;

    public override string? Password => tokens.Current?.Token;
}
