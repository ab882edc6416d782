using Npgsql;

namespace Fathom.Data;

/// <summary>The system of record (users, tasks, posts, collections, documents).</summary>
public sealed class SystemDatabase(NpgsqlDataSource source)
{
    public const string ConnectionSetting = "PostgresConnection";

    public NpgsqlDataSource Source => source;
}

/// <summary>The pgvector store (chunks: embedding + text + tsvector): its own database, locally on the stack's PostgreSQL.</summary>
public sealed class VectorDatabase(NpgsqlDataSource source)
{
    public const string ConnectionSetting = "VectorStoreConnection";

    public NpgsqlDataSource Source => source;
}
