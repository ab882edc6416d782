using Fathom.Data;
using Fathom.Identity;
using Npgsql;

namespace Auth.Functions;

public sealed record ApiKeyOwner(Guid Id, Guid UserId, string[] Scopes);

/// <summary>All SQL on API keys. Only a hash of each key is stored; every statement filters on the owner.</summary>
public sealed class ApiKeyStore(SystemDatabase database)
{
    private const string Columns = "id, name, prefix, scopes, created_at, last_used_at, revoked_at";

    public async Task<CreatedApiKey> CreateAsync(Guid userId, string name, string[] scopes, CancellationToken ct)
    {
        var (key, prefix, hash) = ApiKeyFormat.Create();
        await using var command = database.Source.CreateCommand($"""
            INSERT INTO api_keys (id, user_id, name, prefix, secret_hash, scopes)
            VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING {Columns}
            """);
        command.With(Guid.CreateVersion7()).With(userId).With(name);
        // Shown in lists as "fth_1a2b3c4d…" so a person can match a key they hold to its row.
        command.With(ApiKeyFormat.Marker + prefix).With(hash).With(scopes);
        var item = (await ReadAsync(command, ct))[0];
        return new CreatedApiKey(item.Id, item.Name, item.Prefix, item.Scopes, item.CreatedAt, key);
    }

    public async Task<IReadOnlyList<ApiKeyItem>> ListAsync(Guid userId, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT {Columns} FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id DESC");
        command.With(userId);
        return await ReadAsync(command, ct);
    }

    /// <summary>False when the user has no such key; revoking a revoked key again is fine.</summary>
    public async Task<bool> RevokeAsync(Guid userId, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND user_id = $2");
        command.With(id).With(userId).With(now);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>For introspection: the live key with this secret, without touching its last use.</summary>
    public async Task<ApiKeyOwner?> FindLiveAsync(string key, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("SELECT id, user_id, scopes FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL");
        command.With(ApiKeyFormat.Hash(key));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ApiKeyOwner(reader.GetGuid(0), reader.GetGuid(1), reader.GetFieldValue<string[]>(2)) : null;
    }

    private static async Task<List<ApiKeyItem>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var items = new List<ApiKeyItem>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(new ApiKeyItem(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetFieldValue<string[]>(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        }
        return items;
    }
}
