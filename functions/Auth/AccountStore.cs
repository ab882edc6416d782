using Fathom.Data;
using NpgsqlTypes;
using Npgsql;

namespace Auth.Functions;

public sealed record LoginAccount(Guid Id, string PasswordHash, DateTimeOffset? LockedUntil);

/// <summary>
/// The outcome of claiming a sign-in attempt: refused while locked; otherwise counted as a failure up
/// front (and the lock set if this one reaches the limit), so parallel guesses cannot slip past the count.
/// </summary>
public readonly record struct AttemptClaim(bool Claimed, DateTimeOffset? LockedUntil);

/// <summary>All SQL on accounts (the users table) that Auth runs.</summary>
public sealed class AccountStore(SystemDatabase database)
{
    /// <summary>The new user's id, or null when the email is taken.</summary>
    public async Task<Guid?> CreateAsync(string email, string passwordHash, string displayName, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var command = database.Source.CreateCommand("""
            INSERT INTO users (id, email, password_hash, display_name)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT DO NOTHING
            """);
        command.With(id).With(email).With(passwordHash).With(displayName);
        return await command.ExecuteNonQueryAsync(ct) == 1 ? id : null;
    }

    public async Task<LoginAccount?> FindForLoginAsync(string email, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("SELECT id, password_hash, locked_until FROM users WHERE lower(email) = $1");
        command.With(email);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new LoginAccount(reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2))
            : null;
    }

    public async Task<AttemptClaim> ClaimAttemptAsync(Guid userId, DateTimeOffset now, LockoutOptions lockout, CancellationToken ct)
    {
        // The lock doubles from Duration with every failure past the limit (exponent capped so power() stays finite).
        await using var command = database.Source.CreateCommand("""
            UPDATE users SET
                failed_logins = failed_logins + 1,
                locked_until = CASE WHEN failed_logins + 1 >= $3
                    THEN $2 + make_interval(secs => least($5, $4 * power(2, least(failed_logins + 1 - $3, 30))))
                    ELSE locked_until END
            WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)
            RETURNING locked_until
            """);
        command.With(userId).With(now).With(lockout.MaxFailures).With(lockout.Duration.TotalSeconds).With(lockout.MaxDuration.TotalSeconds);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return new AttemptClaim(false, null);
        }
        return new AttemptClaim(true, reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0));
    }

    /// <summary>Clears the failure count and the lock; stores <paramref name="rehashed"/> when the old hash was too cheap.</summary>
    public async Task RecordSuccessAsync(Guid userId, string? rehashed, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("""
            UPDATE users SET failed_logins = 0, locked_until = NULL, password_hash = COALESCE($2, password_hash)
            WHERE id = $1
            """);
        command.With(userId).With(rehashed, NpgsqlDbType.Text);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<DateTimeOffset?> LockedUntilAsync(Guid userId, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("SELECT locked_until FROM users WHERE id = $1");
        command.With(userId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) && !reader.IsDBNull(0) ? reader.GetFieldValue<DateTimeOffset>(0) : null;
    }
}
