using Fathom.Data;
using Npgsql;

namespace Auth.Functions;

public enum RotationOutcome
{
    /// <summary>The token was live: it is spent now and a new one of the same family replaces it.</summary>
    Rotated,

    /// <summary>The token had been spent before: someone replays it, so the whole family is revoked.</summary>
    Reused,

    /// <summary>Unknown, expired or already revoked.</summary>
    Invalid,
}

/// <param name="LiveAccessTokens">Access tokens issued from a family revoked by this call, still to be revoked in Redis.</param>
public sealed record Rotation(RotationOutcome Outcome, Guid UserId, IReadOnlyList<(string TokenId, DateTimeOffset ExpiresAt)> LiveAccessTokens);

/// <summary>
/// All SQL on refresh tokens. A sign-in starts a family; each refresh spends the presented token and adds
/// the next one to the family. Spent tokens stay (until the family expires) so a replay can be recognised.
/// </summary>
public sealed class SessionStore(SystemDatabase database)
{
    public async Task StartFamilyAsync(Guid userId, IssuedRefreshToken refresh, IssuedAccessToken access, CancellationToken ct)
    {
        await using var connection = await database.Source.OpenConnectionAsync(ct);
        await InsertAsync(connection, null, Guid.CreateVersion7(), userId, refresh, access, ct);
    }

    /// <summary>
    /// Spends <paramref name="presentedHash"/> and, when it was live, stores the tokens <paramref name="issue"/>
    /// makes for its user in the same transaction (so a failure leaves the old token unspent).
    /// </summary>
    public async Task<Rotation> RotateAsync(byte[] presentedHash, DateTimeOffset now, Func<Guid, (IssuedRefreshToken Refresh, IssuedAccessToken Access)> issue, CancellationToken ct)
    {
        await using var connection = await database.Source.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // The row lock makes two concurrent refreshes of one token take turns: only the first finds it unspent.
        Guid familyId, userId;
        await using (var spend = new NpgsqlCommand("""
            UPDATE refresh_tokens SET spent_at = $2
            WHERE token_hash = $1 AND spent_at IS NULL AND revoked_at IS NULL AND expires_at > $2
            RETURNING family_id, user_id
            """, connection, tx))
        {
            spend.With(presentedHash).With(now);
            await using var reader = await spend.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                familyId = reader.GetGuid(0);
                userId = reader.GetGuid(1);
            }
            else
            {
                familyId = userId = Guid.Empty;
            }
        }

        if (familyId != Guid.Empty)
        {
            var (refresh, access) = issue(userId);
            await InsertAsync(connection, tx, familyId, userId, refresh, access, ct);
            await tx.CommitAsync(ct);
            return new Rotation(RotationOutcome.Rotated, userId, []);
        }

        await using (var find = new NpgsqlCommand("""
            SELECT family_id, user_id FROM refresh_tokens
            WHERE token_hash = $1 AND spent_at IS NOT NULL AND revoked_at IS NULL
            """, connection, tx))
        {
            find.With(presentedHash);
            await using var reader = await find.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return new Rotation(RotationOutcome.Invalid, Guid.Empty, []);
            }
            familyId = reader.GetGuid(0);
            userId = reader.GetGuid(1);
        }

        var live = await RevokeFamilyAsync(connection, tx, familyId, now, ct);
        await tx.CommitAsync(ct);
        return new Rotation(RotationOutcome.Reused, userId, live);
    }

    /// <summary>Revokes the family of <paramref name="presentedHash"/> if it is the user's; returns its access tokens that are still live.</summary>
    public async Task<IReadOnlyList<(string TokenId, DateTimeOffset ExpiresAt)>> EndFamilyAsync(Guid userId, byte[] presentedHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.Source.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        Guid familyId;
        await using (var find = new NpgsqlCommand("SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2", connection, tx))
        {
            find.With(presentedHash).With(userId);
            if (await find.ExecuteScalarAsync(ct) is not Guid found)
            {
                return [];
            }
            familyId = found;
        }
        var live = await RevokeFamilyAsync(connection, tx, familyId, now, ct);
        await tx.CommitAsync(ct);
        return live;
    }

    private static async Task<List<(string, DateTimeOffset)>> RevokeFamilyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid familyId, DateTimeOffset now, CancellationToken ct)
    {
        await using var revoke = new NpgsqlCommand("""
            UPDATE refresh_tokens SET revoked_at = COALESCE(revoked_at, $2)
            WHERE family_id = $1
            RETURNING access_token_id, access_expires_at
            """, connection, tx);
        revoke.With(familyId).With(now);
        await using var reader = await revoke.ExecuteReaderAsync(ct);
        var live = new List<(string, DateTimeOffset)>();
        while (await reader.ReadAsync(ct))
        {
            var expires = reader.GetFieldValue<DateTimeOffset>(1);
            if (expires > now)
            {
                live.Add((reader.GetString(0), expires));
            }
        }
        return live;
    }

    /// <summary>Removes refresh tokens that expired before <paramref name="expiredBefore"/>; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(DateTimeOffset expiredBefore, CancellationToken ct)
    {
        await using var purge = database.Source.CreateCommand("DELETE FROM refresh_tokens WHERE expires_at < $1");
        purge.With(expiredBefore);
        return await purge.ExecuteNonQueryAsync(ct);
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid familyId, Guid userId, IssuedRefreshToken refresh, IssuedAccessToken access, CancellationToken ct)
    {
        await using var insert = new NpgsqlCommand("""
            INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at, access_token_id, access_expires_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            """, connection, tx);
        insert.With(refresh.Hash).With(familyId).With(userId).With(refresh.ExpiresAt).With(access.Id).With(access.ExpiresAt);
        await insert.ExecuteNonQueryAsync(ct);
    }
}
