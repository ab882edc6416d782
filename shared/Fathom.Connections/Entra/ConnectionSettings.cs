using System.Data.Common;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Fathom.Connections.Entra;

/// <summary>The connection settings that passwordless sign-in covers, and whether a value carries a password.</summary>
public static class ConnectionSettings
{
    // Named here, not taken from Fathom.Data (which references this project): the same names as SystemDatabase,
    // VectorDatabase and RedisConnections use.
    public static readonly string[] Postgres = ["PostgresConnection", "VectorStoreConnection"];

    public static readonly string[] Redis = ["RedisConnection"];

    /// <summary>The setting's value, as the data sources and multiplexers read it.</summary>
    public static string? Value(IConfiguration configuration, string setting)
        => configuration[setting] ?? configuration.GetConnectionString(setting);

    /// <summary>True when a Postgres connection string has a password (Npgsql's keywords: Password, PWD, PSW).</summary>
    public static bool PostgresHasPassword(string connectionString)
    {
        var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return new[] { "password", "pwd", "psw" }.Any(key => parsed.TryGetValue(key, out var value) && value is string { Length: > 0 });
    }

    public static bool RedisHasPassword(string configuration)
        => ConfigurationOptions.Parse(configuration).Password is { Length: > 0 };
}
