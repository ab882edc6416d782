using Fathom.Data;
using Npgsql;
using NpgsqlTypes;

namespace Fathom.Knowledge.Stores;

/// <summary>All SQL for documents and their ingestion state.</summary>
public sealed class DocumentStore(SystemDatabase database)
{
    private const string Columns = "id, collection_id, name, content_type, size, status, error, chunks_done, chunks_total, version, created_at, updated_at";

    /// <summary>Stores a new document (PENDING) with its bytes, or returns the live document with the same content in this collection.</summary>
    public async Task<(DocumentInfo Document, bool Duplicate)> CreateAsync(Guid ownerId, Guid collectionId, string name, string contentType, byte[] content, byte[] hash, CancellationToken ct)
    {
        await using var connection = await database.Source.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var id = Guid.CreateVersion7();
        await using (var insert = new NpgsqlCommand($"""
            INSERT INTO documents (id, collection_id, owner_id, name, content_type, size, content_hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (collection_id, content_hash) WHERE deleted_at IS NULL DO NOTHING
            RETURNING {Columns}
            """, connection, tx))
        {
            insert.With(id).With(collectionId).With(ownerId).With(name).With(contentType).With((long)content.Length).With(hash);
            if ((await insert.ReadAllAsync(Read, ct)).SingleOrDefault() is { } created)
            {
                await using var body = new NpgsqlCommand("INSERT INTO document_contents (document_id, content) VALUES ($1, $2)", connection, tx);
                body.With(id).With(content);
                await body.ExecuteNonQueryAsync(ct);
                await tx.CommitAsync(ct);
                return (created, false);
            }
        }
        await using var existing = new NpgsqlCommand($"SELECT {Columns} FROM documents WHERE collection_id = $1 AND content_hash = $2 AND deleted_at IS NULL", connection, tx);
        existing.With(collectionId).With(hash);
        var duplicate = (await existing.ReadAllAsync(Read, ct)).Single();
        await tx.CommitAsync(ct);
        return (duplicate, true);
    }

    public async Task<DocumentInfo?> GetAsync(Guid ownerId, Guid collectionId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT {Columns} FROM documents WHERE id = $1 AND collection_id = $2 AND owner_id = $3 AND deleted_at IS NULL");
        command.With(id).With(collectionId).With(ownerId);
        return (await command.ReadAllAsync(Read, ct)).SingleOrDefault();
    }

    public async Task<Paged<DocumentInfo>> ListAsync(Guid ownerId, Guid collectionId, string? status, string? nameContains, PageRequest page, CancellationToken ct)
    {
        const string Filter = """
            WHERE collection_id = $1 AND owner_id = $2 AND deleted_at IS NULL
              AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR name ILIKE '%' || $4 || '%')
            """;
        await using var command = database.Source.CreateCommand($"SELECT {Columns}, count(*) OVER () FROM documents {Filter} ORDER BY created_at DESC, id DESC LIMIT $5 OFFSET $6");
        command.With(collectionId).With(ownerId).With(status, NpgsqlDbType.Text).With(EscapeLike(nameContains), NpgsqlDbType.Text).With(page.PageSize).With(page.Offset);
        return await command.ReadPageAsync(page, Read, async c =>
        {
            await using var count = database.Source.CreateCommand($"SELECT count(*) FROM documents {Filter}");
            count.With(collectionId).With(ownerId).With(status, NpgsqlDbType.Text).With(EscapeLike(nameContains), NpgsqlDbType.Text);
            return (long)(await count.ExecuteScalarAsync(c))!;
        }, ct);
    }

    /// <summary>Names of documents by id (for search results), limited to the owner's.</summary>
    public async Task<Dictionary<Guid, string>> NamesAsync(Guid ownerId, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("SELECT id, name FROM documents WHERE id = ANY($1) AND owner_id = $2 AND deleted_at IS NULL");
        command.With(ids.ToArray()).With(ownerId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var names = new Dictionary<Guid, string>();
        while (await reader.ReadAsync(ct))
        {
            names[reader.GetGuid(0)] = reader.GetString(1);
        }
        return names;
    }

    public async Task<bool> DeleteAsync(Guid ownerId, Guid collectionId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("UPDATE documents SET deleted_at = now(), updated_at = now() WHERE id = $1 AND collection_id = $2 AND owner_id = $3 AND deleted_at IS NULL");
        command.With(id).With(collectionId).With(ownerId);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Starts a new version: back to PENDING; returns the document or null when not the owner's.</summary>
    public async Task<DocumentInfo?> ReindexAsync(Guid ownerId, Guid collectionId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"""
            UPDATE documents SET version = version + 1, status = 'PENDING', error = NULL, chunks_done = 0, chunks_total = 0, updated_at = now()
            WHERE id = $1 AND collection_id = $2 AND owner_id = $3 AND deleted_at IS NULL
            RETURNING {Columns}
            """);
        command.With(id).With(collectionId).With(ownerId);
        return (await command.ReadAllAsync(Read, ct)).SingleOrDefault();
    }

    /// <summary>
    /// Takes a document version for ingestion (status RUNNING) and reads what the work needs. Null when the
    /// entry is stale (a newer version exists), the document was deleted, or this version is already COMPLETE.
    /// </summary>
    public async Task<IngestionWork?> ClaimAsync(Guid documentId, int version, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("""
            WITH claimed AS (
                UPDATE documents SET status = 'RUNNING', error = NULL, updated_at = now()
                WHERE id = $1 AND version = $2 AND deleted_at IS NULL AND status <> 'COMPLETE'
                RETURNING id, collection_id, version, name, chunks_done)
            SELECT claimed.id, claimed.collection_id, claimed.version, claimed.name, dc.content,
                   c.chunk_size, c.chunk_overlap, c.embedding_provider, c.embedding_model, c.embedding_dimension, claimed.chunks_done,
                   c.bm25_k1, c.bm25_b
            FROM claimed
            JOIN document_contents dc ON dc.document_id = claimed.id
            JOIN collections c ON c.id = claimed.collection_id AND c.deleted_at IS NULL
            """);
        command.With(documentId).With(version);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        return new IngestionWork(
            reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetString(3), reader.GetFieldValue<byte[]>(4),
            new CollectionSettings(reader.GetInt32(5), reader.GetInt32(6), new EmbeddingSettings(reader.GetString(7), reader.GetString(8), reader.GetInt32(9)),
                new Bm25Settings(reader.GetDouble(11), reader.GetDouble(12))),
            reader.GetInt32(10));
    }

    public Task ProgressAsync(Guid documentId, int version, int done, int total, CancellationToken ct)
        => UpdateStateAsync("chunks_done = $3, chunks_total = $4", documentId, version, ct, done, total);

    public Task CompleteAsync(Guid documentId, int version, int total, CancellationToken ct)
        => UpdateStateAsync("status = 'COMPLETE', error = NULL, chunks_done = $3, chunks_total = $3", documentId, version, ct, total);

    public Task FailAsync(Guid documentId, int version, string error, CancellationToken ct)
        => UpdateStateAsync("status = 'FAILED', error = $3", documentId, version, ct, error.Length > 2000 ? error[..2000] : error);

    /// <summary>Documents PENDING or RUNNING without change for longer than <paramref name="age"/> (lost queue entry, dead worker).</summary>
    public async Task<IReadOnlyList<(Guid Id, Guid CollectionId, int Version)>> StuckAsync(TimeSpan age, int limit, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("""
            UPDATE documents SET updated_at = now()
            WHERE id IN (SELECT id FROM documents WHERE status IN ('PENDING', 'RUNNING') AND deleted_at IS NULL AND updated_at < now() - $1 ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING id, collection_id, version
            """);
        command.With(age).With(limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var stuck = new List<(Guid, Guid, int)>();
        while (await reader.ReadAsync(ct))
        {
            stuck.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2)));
        }
        return stuck;
    }

    /// <summary>Removes rows deleted longer ago than <paramref name="age"/>; returns the collections purged, whose chunk tables can go.</summary>
    public async Task<(int Documents, IReadOnlyList<Guid> Collections)> PurgeAsync(TimeSpan age, CancellationToken ct)
    {
        await using var docs = database.Source.CreateCommand("DELETE FROM documents WHERE deleted_at < now() - $1");
        docs.With(age);
        var documents = await docs.ExecuteNonQueryAsync(ct);
        await using var collections = database.Source.CreateCommand("DELETE FROM collections WHERE deleted_at < now() - $1 RETURNING id");
        collections.With(age);
        await using var reader = await collections.ExecuteReaderAsync(ct);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }
        return (documents, ids);
    }

    private async Task UpdateStateAsync(string set, Guid documentId, int version, CancellationToken ct, params object[] values)
    {
        await using var command = database.Source.CreateCommand($"UPDATE documents SET {set}, updated_at = now() WHERE id = $1 AND version = $2 AND deleted_at IS NULL");
        command.With(documentId).With(version);
        foreach (var value in values)
        {
            command.With(value);
        }
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string? EscapeLike(string? value)
        => value?.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static DocumentInfo Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9),
        reader.GetFieldValue<DateTimeOffset>(10), reader.GetFieldValue<DateTimeOffset>(11));
}
