using System.Globalization;
using System.Reflection;
using Npgsql;

namespace Fathom.Data;

/// <summary>One versioned schema change with its way back.</summary>
public sealed record Migration(int Version, string Name, string Up, string Down);

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.up.sql</c> files in order, each in its own transaction,
/// and rolls back with the matching <c>.down.sql</c>. An advisory lock keeps two runners from racing.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource source)
{
    private const long LockId = 0x46_41_54_48_4F_4D; // "FATHOM"

    public static IReadOnlyList<Migration> All { get; } = Load();

    public async Task<IReadOnlyList<int>> AppliedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await EnsureTableAsync(connection, cancellationToken);
        return await AppliedAsync(connection, cancellationToken);
    }

    /// <summary>Applies every pending migration up to <paramref name="target"/> (all when null); returns what ran.</summary>
    public async Task<IReadOnlyList<Migration>> UpAsync(int? target, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await LockAsync(connection, cancellationToken);
        await EnsureTableAsync(connection, cancellationToken);
        var applied = (await AppliedAsync(connection, cancellationToken)).ToHashSet();
        var ran = new List<Migration>();
        foreach (var migration in All.Where(m => !applied.Contains(m.Version) && (target is null || m.Version <= target)))
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, migration.Up, cancellationToken);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", connection))
            {
                record.With(migration.Version).With(migration.Name);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            ran.Add(migration);
        }
        return ran;
    }

    /// <summary>Rolls back the newest <paramref name="steps"/> applied migrations; returns what was undone.</summary>
    public async Task<IReadOnlyList<Migration>> DownAsync(int steps, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await LockAsync(connection, cancellationToken);
        await EnsureTableAsync(connection, cancellationToken);
        var applied = await AppliedAsync(connection, cancellationToken);
        var undone = new List<Migration>();
        foreach (var version in applied.OrderDescending().Take(steps))
        {
            var migration = All.Single(m => m.Version == version);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, migration.Down, cancellationToken);
            await using (var forget = new NpgsqlCommand("DELETE FROM schema_migrations WHERE version = $1", connection))
            {
                forget.With(version);
                await forget.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            undone.Add(migration);
        }
        return undone;
    }

    private static async Task LockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Session-level: released when the connection closes.
        await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({LockId})", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Task EnsureTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        => ExecuteAsync(connection, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, cancellationToken);

    private static async Task<IReadOnlyList<int>> AppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<int>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }
        return versions;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<Migration> Load()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var files = assembly.GetManifestResourceNames().Where(n => n.StartsWith("Migrations/", StringComparison.Ordinal)).ToArray();
        var migrations = new List<Migration>();
        foreach (var up in files.Where(f => f.EndsWith(".up.sql", StringComparison.Ordinal)))
        {
            var stem = up["Migrations/".Length..^".up.sql".Length];
            var version = int.Parse(stem[..4], CultureInfo.InvariantCulture);
            var down = $"Migrations/{stem}.down.sql";
            if (!files.Contains(down))
            {
                throw new InvalidOperationException($"Migration {stem} has no down script.");
            }
            migrations.Add(new Migration(version, stem[5..], Read(assembly, up), Read(assembly, down)));
        }
        return [.. migrations.OrderBy(m => m.Version)];
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
