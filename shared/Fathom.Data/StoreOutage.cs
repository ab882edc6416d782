using System.Net.Sockets;
using Npgsql;
using StackExchange.Redis;

namespace Fathom.Data;

/// <summary>
/// An exception that says a store could not be reached or is restarting — not that the work is wrong. Such work is
/// worth waiting for and trying again; it should not use up a message's deliveries as a poison message would.
/// </summary>
public static class StoreOutage
{
    public static bool Is(Exception exception) => exception switch
    {
        // Connection refused or reset, admin shutdown (57P01), starting up (57P03), pool or command timeouts.
        NpgsqlException { IsTransient: true } => true,
        NpgsqlException { InnerException: { } inner } => Is(inner),
        RedisConnectionException or RedisTimeoutException => true,
        SocketException or TimeoutException => true,
        IOException { InnerException: SocketException } => true,
        _ => false,
    };
}
