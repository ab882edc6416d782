using Npgsql;

namespace Fathom.Data;

/// <summary>The system of record (users, tasks, posts, collections, documents).</summary>
public sealed class SystemDatabase(NpgsqlDataSource source)
{
    public const string ConnectionSetting = "PostgresConnection";

    public NpgsqlDataSource Source => source;
}

/// <summary>The pgvector store (chunks: embedding + text + tsvector): PGlite locally, pgvector in a cluster.</summary>
public sealed class VectorDatabase(NpgsqlDataSource source)
{
    public const string ConnectionSetting = "VectorStoreConnection";

    public NpgsqlDataSource Source => source;
}
