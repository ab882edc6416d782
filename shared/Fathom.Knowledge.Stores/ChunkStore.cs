using Fathom.Data;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Fathom.Knowledge.Stores;

/// <summary>
/// All SQL for the vector store: one table per collection (its own vector dimension), with an HNSW
/// cosine index and a GIN full-text index. The same SQL runs on PGlite and on a pgvector server.
/// PGlite runs one statement at a time for all connections, so every call here is short and no
/// transaction is ever held across an embedding call.
/// </summary>
public sealed class ChunkStore(VectorDatabase database) : IDisposable
{
    /// <summary>HNSW's candidate list per search (pgvector's default is 40): higher finds more of the exact top k, slower.</summary>
    public const string EfSearchSetting = "VectorStore:HnswEfSearch";
    public const int DefaultEfSearch = 100;

    /// <summary>From <see cref="EfSearchSetting"/>; validated (1..1000) where the store is registered.</summary>
    public int EfSearch { get; init; } = DefaultEfSearch;

    private const int InsertBatch = 64;
    private readonly SemaphoreSlim _extension = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> _ensured = new();
    private bool _extensionReady;

    public void Dispose() => _extension.Dispose();

    public static string Table(Guid collectionId) => $"chunks_{collectionId:N}";

    /// <summary>Creates the collection's table and indexes once per process (a dropped table is made again on the next start).</summary>
    public async Task EnsureCollectionAsync(Guid collectionId, int dimension, CancellationToken ct)
    {
        if (_ensured.ContainsKey(collectionId))
        {
            return;
        }
        await EnsureExtensionAsync(ct);
        var table = Table(collectionId);
        await using var batch = database.Source.CreateBatch();
        batch.BatchCommands.Add(new($"""
            CREATE TABLE IF NOT EXISTS {table} (
                id text PRIMARY KEY,
                document_id uuid NOT NULL,
                document_version integer NOT NULL,
                position integer NOT NULL,
                page integer,
                heading text,
                text text NOT NULL,
                embedding vector({dimension}) NOT NULL,
                tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(heading, '') || ' ' || text)) STORED)
            """));
        batch.BatchCommands.Add(new($"CREATE INDEX IF NOT EXISTS {table}_hnsw ON {table} USING hnsw (embedding vector_cosine_ops)"));
        batch.BatchCommands.Add(new($"CREATE INDEX IF NOT EXISTS {table}_tsv ON {table} USING gin (tsv)"));
        batch.BatchCommands.Add(new($"CREATE INDEX IF NOT EXISTS {table}_document ON {table} (document_id, document_version)"));
        await batch.ExecuteNonQueryAsync(ct);
        _ensured[collectionId] = true;
    }

    /// <summary>Creates the pgvector extension once and reloads types so Npgsql knows <c>vector</c>.</summary>
    public async Task EnsureExtensionAsync(CancellationToken ct)
    {
        if (_extensionReady)
        {
            return;
        }
        await _extension.WaitAsync(ct);
        try
        {
            if (!_extensionReady)
            {
                await using var connection = await database.Source.OpenConnectionAsync(ct);
                await using (var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector", connection))
                {
                    await create.ExecuteNonQueryAsync(ct);
                }
                await connection.ReloadTypesAsync(ct);
                _extensionReady = true;
            }
        }
        finally
        {
            _extension.Release();
        }
    }

    /// <summary>Positions of this document version already stored: a resumed ingestion embeds only the rest.</summary>
    public async Task<HashSet<int>> StoredPositionsAsync(Guid collectionId, Guid documentId, int version, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT position FROM {Table(collectionId)} WHERE document_id = $1 AND document_version = $2");
        command.With(documentId).With(version);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var positions = new HashSet<int>();
        while (await reader.ReadAsync(ct))
        {
            positions.Add(reader.GetInt32(0));
        }
        return positions;
    }

    /// <summary>Multi-row inserts (binary COPY breaks PGlite); a chunk already there is left alone, so a retry never duplicates.</summary>
    public async Task InsertAsync(Guid collectionId, IReadOnlyList<ChunkRecord> chunks, CancellationToken ct)
    {
        var table = Table(collectionId);
        foreach (var slice in chunks.Chunk(InsertBatch))
        {
            await using var command = database.Source.CreateCommand();
            var rows = new List<string>(slice.Length);
            var p = 0;
            foreach (var chunk in slice)
            {
                rows.Add($"(${++p}, ${++p}, ${++p}, ${++p}, ${++p}, ${++p}, ${++p}, ${++p})");
                command.With(chunk.Id).With(chunk.DocumentId).With(chunk.DocumentVersion).With(chunk.Position)
                    .With(chunk.Page, NpgsqlDbType.Integer).With(chunk.Heading, NpgsqlDbType.Text).With(chunk.Text).With(new Vector(chunk.Embedding));
            }
            command.CommandText = $"INSERT INTO {table} (id, document_id, document_version, position, page, heading, text, embedding) VALUES {string.Join(", ", rows)} ON CONFLICT (id) DO NOTHING";
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>After a version is complete, earlier versions' chunks go.</summary>
    public async Task DeleteOtherVersionsAsync(Guid collectionId, Guid documentId, int keepVersion, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"DELETE FROM {Table(collectionId)} WHERE document_id = $1 AND document_version <> $2");
        command.With(documentId).With(keepVersion);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task DeleteDocumentAsync(Guid collectionId, Guid documentId, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"DELETE FROM {Table(collectionId)} WHERE document_id = $1");
        command.With(documentId);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Nothing was ever indexed in this collection.
        }
    }

    public async Task DropCollectionAsync(Guid collectionId, CancellationToken ct)
    {
        _ensured.TryRemove(collectionId, out _);
        await using var command = database.Source.CreateCommand($"DROP TABLE IF EXISTS {Table(collectionId)}");
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<int> CountAsync(Guid collectionId, Guid documentId, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT count(*) FROM {Table(collectionId)} WHERE document_id = $1");
        command.With(documentId);
        return (int)(long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Nearest chunks by cosine distance (HNSW); score = cosine similarity.</summary>
    public async Task<List<ChunkHit>> SearchVectorAsync(Guid collectionId, float[] query, int limit, Guid[]? documentIds, CancellationToken ct, bool exact = false)
    {
        // A process that only searches (Knowledge) may have loaded its types before any ingestion created the
        // extension, and would then not know how to send a vector.
        await EnsureExtensionAsync(ct);
        // The candidate list is set in the same round trip as the query: PGlite serves every client from one
        // shared session, so a setting made once per connection does not stay put there.
        var batch = database.Source.CreateBatch();
        batch.BatchCommands.Add(new($"SET hnsw.ef_search = {EfSearch}"));
        var select = new NpgsqlBatchCommand($"""
            SELECT id, document_id, position, page, heading, text, 1 - (embedding <=> $1) AS score
            FROM {Table(collectionId)}
            WHERE $2::uuid[] IS NULL OR document_id = ANY($2)
            ORDER BY {(exact ? "(embedding <=> $1) + 0" : "embedding <=> $1")}
            LIMIT $3
            """);
        batch.BatchCommands.Add(select.With(new Vector(query)).With(documentIds, NpgsqlDbType.Array | NpgsqlDbType.Uuid).With(limit));
        return await ReadHitsAsync(batch, batch.ExecuteReaderAsync, ct);
    }

    /// <summary>
    /// Full-text matches ranked by cover density, scaled to 0..1. A plain question matches chunks holding
    /// any of its words (more words rank higher); quotes, <c>-word</c> or <c>OR</c> switch to web-search syntax.
    /// </summary>
    public Task<List<ChunkHit>> SearchFullTextAsync(Guid collectionId, string query, int limit, Guid[]? documentIds, CancellationToken ct)
    {
        var webSearch = query.Contains('"', StringComparison.Ordinal) || query.StartsWith('-') || query.Contains(" -", StringComparison.Ordinal) || query.Contains(" OR ", StringComparison.Ordinal);
        var parse = webSearch ? "websearch_to_tsquery('english', $1)" : "to_tsquery('english', $1)";
        if (!webSearch)
        {
            // Words only, joined by OR; to_tsquery stems them and drops stop words.
            var words = System.Text.RegularExpressions.Regex.Matches(query, @"[\p{L}\p{N}]+").Select(m => m.Value).Distinct(StringComparer.OrdinalIgnoreCase).Take(64).ToList();
            if (words.Count == 0)
            {
                return Task.FromResult(new List<ChunkHit>());
            }
            query = string.Join(" | ", words);
        }
        var command = database.Source.CreateCommand($"""
            SELECT id, document_id, position, page, heading, text, ts_rank_cd(tsv, q, 32) AS score
            FROM {Table(collectionId)}, {parse} q
            WHERE tsv @@ q AND ($2::uuid[] IS NULL OR document_id = ANY($2))
            ORDER BY score DESC, md5(text), id
            LIMIT $3
            """);
        command.With(query).With(documentIds, NpgsqlDbType.Array | NpgsqlDbType.Uuid).With(limit);
        return ReadHitsAsync(command, ct);
    }

    public async Task<ChunkHit?> GetAsync(Guid collectionId, string chunkId, CancellationToken ct)
    {
        var command = database.Source.CreateCommand($"SELECT id, document_id, position, page, heading, text, 1.0 FROM {Table(collectionId)} WHERE id = $1");
        command.With(chunkId);
        return (await ReadHitsAsync(command, ct)).SingleOrDefault();
    }

    private static Task<List<ChunkHit>> ReadHitsAsync(NpgsqlCommand command, CancellationToken ct) => ReadHitsAsync(command, command.ExecuteReaderAsync, ct);

    private static async Task<List<ChunkHit>> ReadHitsAsync(IAsyncDisposable statement, Func<CancellationToken, Task<NpgsqlDataReader>> execute, CancellationToken ct)
    {
        await using (statement)
        {
            try
            {
                await using var reader = await execute(ct);
                var hits = new List<ChunkHit>();
                while (await reader.ReadAsync(ct))
                {
                    hits.Add(new ChunkHit(
                        reader.GetString(0), reader.GetGuid(1), reader.GetInt32(2),
                        reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                        reader.GetString(5), Convert.ToDouble(reader.GetValue(6), System.Globalization.CultureInfo.InvariantCulture)));
                }
                return hits;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // No document of this collection has been indexed yet.
                return [];
            }
        }
    }
}
