using System.Globalization;
using Fathom.Data;
using Fathom.Functions.Configuration;
using Fathom.Knowledge.Stores;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Fathom.Cli;

public static class CliCommands
{
    private const string Usage = """
        usage:
          fathom-cli migrate up [version]     apply pending migrations (up to version)
          fathom-cli migrate down <steps>     roll back the newest <steps> migrations
          fathom-cli migrate status           list migrations and whether they ran
          fathom-cli settings init            write local.settings.json (keys, secrets, stack addresses)
          fathom-cli eval <beir-folder> [--rrf k | --fusion relative|rrf] [--fulltext-weight w] [--k1 x] [--b y] [--reference run-file] [--sweep]
                                              recall@10, nDCG@10 and latency per search mode, beside a reference run
        Settings come from local.settings.json in the working directory, overridden by environment variables.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct)
    {
        try
        {
            return args switch
            {
                ["migrate", "up"] => await MigrateUpAsync(null, output, ct),
                ["migrate", "up", var version] => await MigrateUpAsync(int.Parse(version, CultureInfo.InvariantCulture), output, ct),
                ["migrate", "down", var steps] => await MigrateDownAsync(int.Parse(steps, CultureInfo.InvariantCulture), output, ct),
                ["migrate", "status"] => await StatusAsync(output, ct),
                ["settings", "init"] => LocalSettings.Init(Directory.GetCurrentDirectory(), output),
                ["eval", var folder, .. var options] => await Evaluation.RunAsync(folder, options, Settings(), output, ct),
                _ => Fail(output, Usage),
            };
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or FormatException or IOException or UnauthorizedAccessException)
        {
            return Fail(output, $"error: {ex.Message}");
        }
    }

    private static int Fail(TextWriter output, string message)
    {
        output.WriteLine(message);
        return 2;
    }

    private static ConfigurationManager Settings()
    {
        var configuration = new ConfigurationManager();
        HostConfiguration.AddHostFiles(configuration, Directory.GetCurrentDirectory());
        configuration.AddEnvironmentVariables();
        return configuration;
    }

    /// <summary>The system of record, built as the apps build it (passwordless with <c>AzureIdentity__Enabled</c>: the migration Job).</summary>
    private static async Task<NpgsqlDataSource> OpenDatabaseAsync(CancellationToken ct)
    {
        var configuration = Settings();
        if (configuration[SystemDatabase.ConnectionSetting] is null)
        {
            throw new InvalidOperationException($"{SystemDatabase.ConnectionSetting} is not set (local.settings.json or environment).");
        }
        return await PostgresDataSources.CreateForToolAsync(configuration, SystemDatabase.ConnectionSetting, ct);
    }

    private static async Task<int> MigrateUpAsync(int? target, TextWriter output, CancellationToken ct)
    {
        await using var database = await OpenDatabaseAsync(ct);
        var ran = await new MigrationRunner(database).UpAsync(target, ct);
        output.WriteLine(ran.Count == 0 ? "Database is up to date." : string.Join('\n', ran.Select(m => $"applied {m.Version:D4} {m.Name}")));
        return 0;
    }

    private static async Task<int> MigrateDownAsync(int steps, TextWriter output, CancellationToken ct)
    {
        await using var database = await OpenDatabaseAsync(ct);
        var undone = await new MigrationRunner(database).DownAsync(steps, ct);
        output.WriteLine(undone.Count == 0 ? "Nothing to roll back." : string.Join('\n', undone.Select(m => $"rolled back {m.Version:D4} {m.Name}")));
        return 0;
    }

    private static async Task<int> StatusAsync(TextWriter output, CancellationToken ct)
    {
        await using var database = await OpenDatabaseAsync(ct);
        var applied = (await new MigrationRunner(database).AppliedAsync(ct)).ToHashSet();
        foreach (var migration in MigrationRunner.All)
        {
            output.WriteLine($"{migration.Version:D4} {migration.Name,-20} {(applied.Contains(migration.Version) ? "applied" : "pending")}");
        }
        return 0;
    }
}
