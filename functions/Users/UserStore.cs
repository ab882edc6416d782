using Fathom.Data;
using NpgsqlTypes;
using Npgsql;

namespace Users.Functions;

/// <summary>All SQL of the Users app: profiles are rows of the users table.</summary>
public sealed class UserStore(SystemDatabase database)
{
    private const string Columns = "id, email, display_name, bio, created_at";

    public async Task<UserProfile?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT {Columns} FROM users WHERE id = $1");
        command.With(id);
        return await ReadAsync(command, ct);
    }

    public async Task<UserProfile?> UpdateAsync(Guid id, UpdateProfileRequest request, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"""
            UPDATE users SET
                display_name = COALESCE($2, display_name),
                bio = COALESCE($3, bio),
                updated_at = $4
            WHERE id = $1
            RETURNING {Columns}
            """);
        command.With(id).With(request.DisplayName?.Trim(), NpgsqlDbType.Text).With(request.Bio, NpgsqlDbType.Text).With(now);
        return await ReadAsync(command, ct);
    }

    private static async Task<UserProfile?> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new UserProfile(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4))
            : null;
    }
}
