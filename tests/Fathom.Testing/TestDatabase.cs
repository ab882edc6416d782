using Fathom.Data;
using Npgsql;

namespace Fathom.Testing;

/// <summary>A fresh, fully migrated Postgres database for one test class, dropped afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        Source = NpgsqlDataSource.Create(connectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource Source { get; }

    public static async Task<TestDatabase> CreateAsync(bool migrate = true)
    {
        var name = $"fathom_t_{Guid.NewGuid():N}"[..24];
        await using (var admin = NpgsqlDataSource.Create(TestStack.Postgres))
        {
            await using var create = admin.CreateCommand($"CREATE DATABASE {name}");
            await create.ExecuteNonQueryAsync();
        }
        var connection = new NpgsqlConnectionStringBuilder(TestStack.Postgres) { Database = name }.ConnectionString;
        var database = new TestDatabase(name, connection);
        if (migrate)
        {
            await new MigrationRunner(database.Source).UpAsync(null, CancellationToken.None);
        }
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(TestStack.Postgres);
        await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }
}
