namespace Fathom.Connections.Entra;

/// <summary>A service Fathom signs in to with an Entra token: the connection setting that names it and the token's scope.</summary>
public sealed record EntraResource(string Setting, string Name, string Scope)
{
    public const string PostgresScope = "https://ossrdbms-aad.database.windows.net/.default";

    public const string RedisScope = "https://redis.azure.com/.default";

    public static EntraResource Postgres(string setting) => new(setting, "Azure Database for PostgreSQL", PostgresScope);

    public static EntraResource Redis(string setting) => new(setting, "Azure Cache for Redis", RedisScope);
}
