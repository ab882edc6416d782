using Fathom.Data;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Fathom.Knowledge.Stores;

/// <summary>
/// All SQL for the vector store (PostgreSQL with pgvector). Per collection: <c>chunks_N</c> (text, embedding with an
/// HNSW cosine index, a generated english <c>tsvector</c>, and <c>seq</c>, a small number naming the chunk in
/// postings), <c>postings_N</c> (one row per term and chunk: term frequency and the chunk's length, so BM25 is
/// ranked from an index-only scan of the query's terms) and <c>bm25_N</c> (chunk count and total length, in
/// <see cref="StatsShards"/> rows that writers pick at random and queries sum, so concurrent ingestion never
/// queues on one counter). Chunks, postings and counts change in one transaction. No transaction is held across
/// an embedding call; chunks are written with binary COPY.
/// </summary>
public sealed class ChunkStore(VectorDatabase database) : IDisposable
{
    /// <summary>HNSW's candidate list per search (pgvector's default is 40): higher finds more of the exact top k, slower.</summary>
    public const string EfSearchSetting = "VectorStore:HnswEfSearch";
    public const int DefaultEfSearch = 100;

    /// <summary>pgvector's HNSW index takes vectors of up to 2,000 dimensions.</summary>
    public const int MaxDimension = 2000;

    /// <summary>Rows of a collection's statistics table; the sums are the collection's figures.</summary>
    public const int StatsShards = 16;

    /// <summary>From <see cref="EfSearchSetting"/>; validated (1..1000) where the store is registered.</summary>
    public int EfSearch { get; init; } = DefaultEfSearch;

    /// <summary>Memory for an HNSW build: the graph is built in memory when it fits, many times faster than on disk.</summary>
    private const string IndexBuildMemory = "1GB";
    private readonly SemaphoreSlim _extension = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> _ensured = new();
    private bool _extensionReady;

    public void Dispose() => _extension.Dispose();

    public static string Table(Guid collectionId) => $"chunks_{collectionId:N}";

    public static string PostingsTable(Guid collectionId) => $"postings_{collectionId:N}";

    public static string StatsTable(Guid collectionId) => $"bm25_{collectionId:N}";

    /// <summary>
    /// Creates the collection's tables once per process (a dropped table is made again on the next start). A table
    /// made before full-text ranking used postings gets them here, once: see <see cref="EnsureTablesAsync"/>.
    /// </summary>
    public Task EnsureCollectionAsync(Guid collectionId, int dimension, CancellationToken ct) => EnsureTablesAsync(collectionId, dimension, ct);

    /// <summary>
    /// True when the collection's tables exist (creating them when <paramref name="dimension"/> is given). A chunks
    /// table without postings (made by an earlier version) is upgraded in one transaction under an advisory lock:
    /// <c>seq</c> is added (a one-time table rewrite), the full-text GIN index dropped (ranking reads postings), and
    /// postings and counts built from the stored rows; concurrent writers wait for it, and a second process finds it done.
    /// </summary>
    private async Task<bool> EnsureTablesAsync(Guid collectionId, int? dimension, CancellationToken ct)
    {
        if (_ensured.ContainsKey(collectionId))
        {
            return true;
        }
        if (dimension is not null)
        {
            await EnsureExtensionAsync(ct); // before taking a connection: it takes one of its own
        }
        await using var connection = await database.Source.OpenConnectionAsync(ct);
        var (chunks, postings) = await TablesAsync(connection, collectionId, ct);
        if (!postings)
        {
            if (!chunks && dimension is null)
            {
                return false;
            }
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
            {
                await lockCommand.With(Table(collectionId)).ExecuteNonQueryAsync(ct);
            }
            (chunks, postings) = await TablesAsync(connection, collectionId, ct);
            if (!postings && (chunks || dimension is not null))
            {
                await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
                foreach (var sql in chunks ? UpgradeSql(collectionId) : CreateSql(collectionId, dimension!.Value))
                {
                    batch.BatchCommands.Add(new(sql));
                }
                await batch.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
            if (!postings && !chunks && dimension is null)
            {
                return false;
            }
        }
        _ensured[collectionId] = true;
        return true;
    }

    private static async Task<(bool Chunks, bool Postings)> TablesAsync(NpgsqlConnection connection, Guid collectionId, CancellationToken ct)
    {
        // pg_class read as a table, not through to_regclass: to_regclass answers from the backend's catalog cache, which
        // a session waiting on the advisory lock does not refresh, so it would miss tables another process just created
        // (and fail with 42P07 creating them again). A query sees every commit made before it started.
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE relname = $1) > 0, count(*) FILTER (WHERE relname = $2) > 0
            FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname IN ($1, $2)
            """, connection);
        command.With(Table(collectionId)).With(PostingsTable(collectionId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetBoolean(0), reader.GetBoolean(1));
    }

    private static IEnumerable<string> CreateSql(Guid collectionId, int dimension)
    {
        var table = Table(collectionId);
        yield return $"""
            CREATE TABLE {table} (
                id text PRIMARY KEY,
                seq integer GENERATED ALWAYS AS IDENTITY,
                document_id uuid NOT NULL,
                document_version integer NOT NULL,
                position integer NOT NULL,
                page integer,
                heading text,
                text text NOT NULL,
                embedding vector({dimension}) NOT NULL,
                tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(heading, '') || ' ' || text)) STORED)
            """;
        yield return EmbeddingInline(table);
        yield return $"CREATE UNIQUE INDEX {table}_seq ON {table} (seq)";
        yield return $"CREATE INDEX {table}_hnsw ON {table} USING hnsw (embedding vector_cosine_ops)";
        yield return $"CREATE INDEX {table}_document ON {table} (document_id, document_version)";
        foreach (var sql in FullTextSql(collectionId))
        {
            yield return sql;
        }
    }

    private static IEnumerable<string> UpgradeSql(Guid collectionId)
    {
        var table = Table(collectionId);
        // The identity column fills every stored row; the rewrite rebuilds the indexes, HNSW included.
        yield return $"SET LOCAL maintenance_work_mem = '{IndexBuildMemory}'";
        yield return EmbeddingInline(table);
        yield return $"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS seq integer GENERATED ALWAYS AS IDENTITY";
        yield return $"CREATE UNIQUE INDEX IF NOT EXISTS {table}_seq ON {table} (seq)";
        yield return $"DROP INDEX IF EXISTS {table}_tsv";
        foreach (var sql in FullTextSql(collectionId))
        {
            yield return sql;
        }
        yield return IndexTermsSql(collectionId, "", $"(SELECT count(*) FROM {table})", "0");
        yield return $"ANALYZE {PostingsTable(collectionId)}";
    }

    /// <summary>
    /// pgvector stores vectors EXTERNAL: in a row with a chunk's text (over TOAST's 2 kB) the vector is what moves to
    /// the TOAST table, and an exact scan, which the planner picks for a small collection, then fetches every vector
    /// from there (215 ms instead of 3 ms for 3,800 real chunks). MAIN moves the text out first.
    /// </summary>
    private static string EmbeddingInline(string table) => $"ALTER TABLE {table} ALTER COLUMN embedding SET STORAGE MAIN";

    /// <summary>
    /// Postings keyed (term, seq) with tf and the chunk's length included in the index, so ranking never visits the
    /// heap; "C" collation because terms are only ever compared for equality. Autovacuum runs after 5 % new rows
    /// (not 20 %) to keep the visibility map, which index-only scans need, current.
    /// </summary>
    private static IEnumerable<string> FullTextSql(Guid collectionId)
    {
        yield return $"""
            CREATE TABLE {PostingsTable(collectionId)} (
                term text COLLATE "C" NOT NULL,
                seq integer NOT NULL,
                len integer NOT NULL,
                tf smallint NOT NULL,
                PRIMARY KEY (term, seq) INCLUDE (tf, len))
            WITH (autovacuum_vacuum_insert_scale_factor = 0.05)
            """;
        yield return $"CREATE TABLE {StatsTable(collectionId)} (shard smallint PRIMARY KEY, chunks bigint NOT NULL, length bigint NOT NULL)";
        yield return $"INSERT INTO {StatsTable(collectionId)} SELECT s, 0, 0 FROM generate_series(0, {StatsShards - 1}) s";
    }

    /// <summary>
    /// Postings of the chunks matched by <paramref name="where"/> (their tsvector's lexemes; tf = the lexeme's
    /// positions, length = all positions: the chunk's words less stop words) and the counts, in one statement.
    /// </summary>
    private static string IndexTermsSql(Guid collectionId, string where, string chunkCount, string shard) => $"""
        WITH terms AS MATERIALIZED (
            SELECT c.seq, u.lexeme, cardinality(u.positions) AS tf
            FROM {Table(collectionId)} c CROSS JOIN LATERAL unnest(c.tsv) u {where}),
        lengths AS (SELECT seq, sum(tf)::integer AS len FROM terms GROUP BY seq),
        added AS (
            INSERT INTO {PostingsTable(collectionId)} (term, seq, len, tf)
            SELECT t.lexeme, t.seq, l.len, t.tf FROM terms t JOIN lengths l ON l.seq = t.seq)
        UPDATE {StatsTable(collectionId)} SET chunks = chunks + {chunkCount}, length = length + (SELECT coalesce(sum(len), 0) FROM lengths)
        WHERE shard = {shard}
        """;

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
    /// One transaction per call: binary COPY of the chunks, then their postings and counts from the rows just written,
    /// so a crash leaves both or neither. COPY has no ON CONFLICT, so when a chunk is already there (a retried batch,
    /// or two deliveries of one document racing) the transaction is rolled back, the ids already stored are dropped
    /// and the rest copied again: a retry never duplicates a chunk or a posting.
    /// </summary>
    public async Task InsertAsync(Guid collectionId, IReadOnlyList<ChunkRecord> chunks, CancellationToken ct)
    {
        await EnsureExtensionAsync(ct);
        // Every writer inserts in id order: overlapping batches then wait for each other instead of deadlocking.
        var pending = chunks.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        while (pending.Count > 0)
        {
            try
            {
                await CopyAsync(collectionId, pending, ct);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                var stored = await StoredIdsAsync(Table(collectionId), pending, ct);
                pending = pending.Where(c => !stored.Contains(c.Id)).ToList();
            }
        }
    }

    private async Task CopyAsync(Guid collectionId, IReadOnlyList<ChunkRecord> chunks, CancellationToken ct)
    {
        await using var connection = await database.Source.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        ulong copied;
        await using (var writer = await connection.BeginBinaryImportAsync(
            $"COPY {Table(collectionId)} (id, document_id, document_version, position, page, heading, text, embedding) FROM STDIN (FORMAT BINARY)", ct))
        {
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
            copied = await writer.CompleteAsync(ct);
        }
        await using (var index = new NpgsqlCommand(IndexTermsSql(collectionId, "WHERE c.id = ANY($1)", "$2", "$3"), connection, transaction))
        {
            index.With(chunks.Select(c => c.Id).ToArray()).With((long)copied).With((short)Random.Shared.Next(StatsShards));
            await index.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
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
    public Task DeleteOtherVersionsAsync(Guid collectionId, Guid documentId, int keepVersion, CancellationToken ct)
        => DeleteChunksAsync(collectionId, "document_id = $2 AND document_version <> $3", ct, documentId, keepVersion);

    public Task DeleteDocumentAsync(Guid collectionId, Guid documentId, CancellationToken ct)
        => DeleteChunksAsync(collectionId, "document_id = $2", ct, documentId);

    /// <summary>
    /// Chunks, their postings and their share of the counts go in one statement (one transaction). The counts are
    /// lowered by what this statement deleted, so two deletes racing over the same rows subtract them once.
    /// </summary>
    private async Task DeleteChunksAsync(Guid collectionId, string condition, CancellationToken ct, params object[] arguments)
    {
        if (!await EnsureTablesAsync(collectionId, null, ct))
        {
            return; // Nothing was ever indexed in this collection.
        }
        await using var command = database.Source.CreateCommand($"""
            WITH gone AS (DELETE FROM {Table(collectionId)} WHERE {condition} RETURNING seq, tsv),
            terms AS MATERIALIZED (
                SELECT g.seq, u.lexeme, cardinality(u.positions) AS tf FROM gone g CROSS JOIN LATERAL unnest(g.tsv) u),
            unposted AS (DELETE FROM {PostingsTable(collectionId)} p USING terms t WHERE p.term = t.lexeme AND p.seq = t.seq)
            UPDATE {StatsTable(collectionId)}
            SET chunks = chunks - (SELECT count(*) FROM gone), length = length - (SELECT coalesce(sum(tf), 0) FROM terms)
            WHERE shard = $1 AND EXISTS (SELECT FROM gone)
            """);
        command.With((short)Random.Shared.Next(StatsShards));
        foreach (var argument in arguments)
        {
            command.With(argument);
        }
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            _ensured.TryRemove(collectionId, out _); // Dropped meanwhile.
        }
    }

    public async Task DropCollectionAsync(Guid collectionId, CancellationToken ct)
    {
        _ensured.TryRemove(collectionId, out _);
        await using var command = database.Source.CreateCommand(
            $"DROP TABLE IF EXISTS {Table(collectionId)}, {PostingsTable(collectionId)}, {StatsTable(collectionId)}");
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// After a bulk load: VACUUM sets the visibility map, so index-only scans of the postings skip the heap at once
    /// rather than after autovacuum's next visit, and ANALYZE gives the planner the new sizes.
    /// </summary>
    public async Task VacuumAsync(Guid collectionId, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"VACUUM (ANALYZE) {Table(collectionId)}, {PostingsTable(collectionId)}");
        command.CommandTimeout = 0;
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
    /// Chunks ranked by BM25 (Robertson's, with Lucene's idf): score = Σ over query terms of
    /// qtf · ln(1 + (N − df + 0.5) / (df + 0.5)) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · len / avgdl)), where N and
    /// avgdl come from the summed counts, df is counted from the term's postings and tf, len from each posting;
    /// terms are the query's english lexemes (stemmed, stop words dropped: the chunks' own analysis). A plain question
    /// ranks every chunk holding any of its words; quotes, <c>-word</c> or <c>OR</c> (web-search syntax) also filter
    /// the ranked chunks with <c>websearch_to_tsquery</c>, ranking on the words not negated. The work grows with the
    /// postings of the query's terms: one index-only pass to count them and one to sum scores per chunk; only the
    /// top k are read from the chunks table, equal scores in chunk order there and by id in the answer.
    /// </summary>
    public async Task<List<ChunkHit>> SearchFullTextAsync(Guid collectionId, string query, int limit, Guid[]? documentIds, Bm25Settings bm25, CancellationToken ct)
    {
        var webSearch = FullTextQuery.IsWebSearch(query);
        var terms = webSearch ? FullTextQuery.PositiveWords(query) : query;
        if (string.IsNullOrWhiteSpace(terms) || !await EnsureTablesAsync(collectionId, null, ct))
        {
            return [];
        }
        var filtered = webSearch || documentIds is not null;
        var postings = PostingsTable(collectionId);
        var command = database.Source.CreateCommand($"""
            WITH weights AS MATERIALIZED (
                SELECT q.term, q.qtf * ln(1 + (s.n - d.df + 0.5) / (d.df + 0.5)) * ($3 + 1) AS weight,
                       $3 * (1 - $4) AS saturation, $3 * $4 / s.avgdl AS per_length
                FROM (SELECT lexeme AS term, cardinality(positions) AS qtf FROM unnest(to_tsvector('english', $1))) q
                CROSS JOIN (
                    SELECT greatest(sum(chunks)::float8, 1) AS n, greatest(sum(length)::float8, 1) / greatest(sum(chunks)::float8, 1) AS avgdl
                    FROM {StatsTable(collectionId)}) s
                CROSS JOIN LATERAL (SELECT count(*)::float8 AS df FROM {postings} p WHERE p.term = q.term) d
                WHERE d.df > 0),
            scored AS (
                SELECT p.seq, sum(w.weight * p.tf / (p.tf + w.saturation + w.per_length * p.len)) AS score
                FROM weights w JOIN {postings} p ON p.term = w.term
                GROUP BY p.seq
                {(filtered ? "" : "ORDER BY score DESC, p.seq LIMIT $2")})
            SELECT c.id, c.document_id, c.position, c.page, c.heading, c.text, s.score
            FROM scored s JOIN {Table(collectionId)} c ON c.seq = s.seq
            {(filtered ? "WHERE ($5::uuid[] IS NULL OR c.document_id = ANY($5)) AND ($6::text IS NULL OR c.tsv @@ websearch_to_tsquery('english', $6))" : "")}
            ORDER BY s.score DESC, c.id
            {(filtered ? "LIMIT $2" : "")}
            """);
        command.With(terms).With(limit).With(bm25.K1).With(bm25.B);
        if (filtered)
        {
            command.With(documentIds, NpgsqlDbType.Array | NpgsqlDbType.Uuid).With(webSearch ? query : null, NpgsqlDbType.Text);
        }
        return await ReadHitsAsync(command, ct);
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
