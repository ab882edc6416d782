using Fathom.Data;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Fathom.Knowledge.Stores;

/// <summary>
/// All SQL for the vector store (PostgreSQL with pgvector): one table per collection (its own vector
/// dimension), with an HNSW cosine index and a GIN full-text index. No transaction is held across an
/// embedding call; chunks are written with binary COPY.
/// </summary>
public sealed class ChunkStore(VectorDatabase database) : IDisposable
{
    /// <summary>HNSW's candidate list per search (pgvector's default is 40): higher finds more of the exact top k, slower.</summary>
    public const string EfSearchSetting = "VectorStore:HnswEfSearch";
    public const int DefaultEfSearch = 100;

    /// <summary>pgvector's HNSW index takes vectors of up to 2,000 dimensions.</summary>
    public const int MaxDimension = 2000;

    /// <summary>From <see cref="EfSearchSetting"/>; validated (1..1000) where the store is registered.</summary>
    public int EfSearch { get; init; } = DefaultEfSearch;

    /// <summary>Memory for an HNSW build: the graph is built in memory when it fits, many times faster than on disk.</summary>
    private const string IndexBuildMemory = "1GB";
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

    /// <summary>
    /// One binary COPY per call. COPY has no ON CONFLICT, so when a chunk is already there (a retried batch,
    /// or two deliveries of one document racing) the ids already stored are dropped and the rest copied again:
    /// a retry never duplicates a chunk.
    /// </summary>
    public async Task InsertAsync(Guid collectionId, IReadOnlyList<ChunkRecord> chunks, CancellationToken ct)
    {
        await EnsureExtensionAsync(ct);
        var table = Table(collectionId);
        var pending = chunks;
        while (pending.Count > 0)
        {
            try
            {
                await CopyAsync(table, pending, ct);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                var stored = await StoredIdsAsync(table, pending, ct);
                pending = pending.Where(c => !stored.Contains(c.Id)).ToList();
            }
        }
    }

    private async Task CopyAsync(string table, IReadOnlyList<ChunkRecord> chunks, CancellationToken ct)
    {
        await using var connection = await database.Source.OpenConnectionAsync(ct);
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {table} (id, document_id, document_version, position, page, heading, text, embedding) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var chunk in chunks)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(chunk.Id, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(chunk.DocumentId, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(chunk.DocumentVersion, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(chunk.Position, NpgsqlDbType.Integer, ct);
            await WriteNullableAsync(writer, chunk.Page, NpgsqlDbType.Integer, ct);
            await WriteNullableAsync(writer, chunk.Heading, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(chunk.Text, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(new Vector(chunk.Embedding), "vector", ct);
        }
        await writer.CompleteAsync(ct);
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type, CancellationToken ct)
        => value is null ? writer.WriteNullAsync(ct) : writer.WriteAsync(value, type, ct);

    private async Task<HashSet<string>> StoredIdsAsync(string table, IReadOnlyList<ChunkRecord> chunks, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT id FROM {table} WHERE id = ANY($1)");
        command.With(chunks.Select(c => c.Id).ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    /// <summary>
    /// Drops and builds the collection's HNSW index in one pass: after a bulk load a build is far faster than
    /// the row-by-row graph inserts it replaces. The build gets its own memory and parallel workers.
    /// </summary>
    public async Task RebuildVectorIndexAsync(Guid collectionId, CancellationToken ct)
    {
        var table = Table(collectionId);
        await using var connection = await database.Source.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new($"SET LOCAL maintenance_work_mem = '{IndexBuildMemory}'"),
                new($"SET LOCAL max_parallel_maintenance_workers = {Math.Max(1, Environment.ProcessorCount - 1)}"),
                new($"DROP INDEX IF EXISTS {table}_hnsw"),
                new($"CREATE INDEX {table}_hnsw ON {table} USING hnsw (embedding vector_cosine_ops)"),
            },
        };
        batch.Timeout = 0;
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
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

    /// <summary>
    /// Nearest chunks by cosine distance (HNSW); score = cosine similarity. The candidate list is set for this
    /// query's transaction only. With a document filter pgvector's iterative scan keeps walking the graph until
    /// enough rows pass it, instead of filtering one candidate list and answering short.
    /// </summary>
    public async Task<List<ChunkHit>> SearchVectorAsync(Guid collectionId, float[] query, int limit, Guid[]? documentIds, CancellationToken ct, bool exact = false)
    {
        // A process that only searches (Knowledge) may have loaded its types before any ingestion created the
        // extension, and would then not know how to send a vector.
        await EnsureExtensionAsync(ct);
        // One batch is one implicit transaction: set_config(..., true) lasts for it and no longer.
        var batch = database.Source.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', $2, true)")
            .With(EfSearch.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With(documentIds is null ? "off" : "relaxed_order"));
        // relaxed_order may return rows slightly out of order: the outer ORDER BY puts them back.
        var select = new NpgsqlBatchCommand($"""
            SELECT * FROM (
                SELECT id, document_id, position, page, heading, text, 1 - (embedding <=> $1) AS score
                FROM {Table(collectionId)}
                WHERE $2::uuid[] IS NULL OR document_id = ANY($2)
                ORDER BY {(exact ? "(embedding <=> $1) + 0" : "embedding <=> $1")}
                LIMIT $3) nearest
            ORDER BY score DESC, id
            """);
        batch.BatchCommands.Add(select.With(new Vector(query)).With(documentIds, NpgsqlDbType.Array | NpgsqlDbType.Uuid).With(limit));
        return await ReadHitsAsync(batch, async token =>
        {
            var reader = await batch.ExecuteReaderAsync(token);
            try
            {
                // Past the settings' row to the hits; an error here (no table yet) must still return the connection.
                await reader.NextResultAsync(token);
                return reader;
            }
            catch
            {
                await reader.DisposeAsync();
                throw;
            }
        }, ct);
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
