using Fathom.Data;
using Npgsql;
using NpgsqlTypes;

namespace Fathom.Knowledge.Stores;

/// <summary>All SQL for collections; every statement is scoped to the owner.</summary>
public sealed class CollectionStore(SystemDatabase database)
{
    private const string Columns = """
        c.id, c.name, c.description, c.chunk_size, c.chunk_overlap, c.embedding_provider, c.embedding_model, c.embedding_dimension,
               (SELECT count(*) FROM documents d WHERE d.collection_id = c.id AND d.deleted_at IS NULL), c.created_at, c.updated_at,
               c.bm25_k1, c.bm25_b
        """;

    private const string Select = $"SELECT {Columns} FROM collections c";

    public async Task<Collection> CreateAsync(Guid ownerId, string name, string description, CollectionSettings settings, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using (var command = database.Source.CreateCommand("""
            INSERT INTO collections (id, owner_id, name, description, chunk_size, chunk_overlap, embedding_provider, embedding_model, embedding_dimension, bm25_k1, bm25_b)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """))
        {
            command.With(id).With(ownerId).With(name).With(description).With(settings.ChunkSize).With(settings.ChunkOverlap)
                .With(settings.Embedding.Provider).With(settings.Embedding.Model).With(settings.Embedding.Dimension)
                .With(settings.Bm25.K1).With(settings.Bm25.B);
            await command.ExecuteNonQueryAsync(ct);
        }
        return (await GetAsync(ownerId, id, ct))!;
    }

    public async Task<Collection?> GetAsync(Guid ownerId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"{Select} WHERE c.id = $1 AND c.owner_id = $2 AND c.deleted_at IS NULL");
        command.With(id).With(ownerId);
        return (await command.ReadAllAsync(Read, ct)).SingleOrDefault();
    }

    /// <summary>Collections by id or by name (the OpenAI-compatible endpoint's model name), the owner's only.</summary>
    public async Task<Collection?> FindAsync(Guid ownerId, string idOrName, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"{Select} WHERE c.owner_id = $1 AND c.deleted_at IS NULL AND (c.id::text = $2 OR c.name = $2) ORDER BY c.created_at LIMIT 1");
        command.With(ownerId).With(idOrName);
        return (await command.ReadAllAsync(Read, ct)).SingleOrDefault();
    }

    public async Task<Paged<Collection>> ListAsync(Guid ownerId, PageRequest page, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT {Columns}, count(*) OVER () FROM collections c WHERE c.owner_id = $1 AND c.deleted_at IS NULL ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3");
        command.With(ownerId).With(page.PageSize).With(page.Offset);
        return await command.ReadPageAsync(page, Read, async c =>
        {
            await using var count = database.Source.CreateCommand("SELECT count(*) FROM collections WHERE owner_id = $1 AND deleted_at IS NULL");
            count.With(ownerId);
            return (long)(await count.ExecuteScalarAsync(c))!;
        }, ct);
    }

    /// <summary>Null arguments keep the stored value. BM25's k1 and b apply from the next search: ranking reads them, indexing does not.</summary>
    public async Task<Collection?> UpdateAsync(Guid ownerId, Guid id, string? name, string? description, double? bm25K1, double? bm25B, CancellationToken ct)
    {
        await using (var command = database.Source.CreateCommand("""
            UPDATE collections SET name = COALESCE($3, name), description = COALESCE($4, description),
                bm25_k1 = COALESCE($5, bm25_k1), bm25_b = COALESCE($6, bm25_b), updated_at = now()
            WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL
            """))
        {
            command.With(id).With(ownerId).With(name, NpgsqlDbType.Text).With(description, NpgsqlDbType.Text)
                .With(bm25K1, NpgsqlDbType.Double).With(bm25B, NpgsqlDbType.Double);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return null;
            }
        }
        return await GetAsync(ownerId, id, ct);
    }

    /// <summary>Marks the collection and its documents deleted; the caller drops the chunks, maintenance purges the rows.</summary>
    public async Task<bool> DeleteAsync(Guid ownerId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("""
            WITH gone AS (
                UPDATE collections SET deleted_at = now() WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL RETURNING id),
            documents_gone AS (
                UPDATE documents SET deleted_at = now() WHERE collection_id IN (SELECT id FROM gone) AND deleted_at IS NULL)
            SELECT count(*) FROM gone
            """);
        command.With(id).With(ownerId);
        return (long)(await command.ExecuteScalarAsync(ct))! == 1;
    }

    private static Collection Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetString(2),
        new CollectionSettings(reader.GetInt32(3), reader.GetInt32(4), new EmbeddingSettings(reader.GetString(5), reader.GetString(6), reader.GetInt32(7)),
            new Bm25Settings(reader.GetDouble(11), reader.GetDouble(12))),
        reader.GetInt64(8),
        reader.GetFieldValue<DateTimeOffset>(9),
        reader.GetFieldValue<DateTimeOffset>(10));
}
