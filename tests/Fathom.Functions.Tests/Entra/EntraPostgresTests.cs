using Fathom.Data;
using Fathom.Connections.Entra;
using Fathom.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fathom.Functions.Tests.Entra;

/// <summary>
/// Against the real local PostgreSQL: a role whose password is the fake credential's token stands in for Azure Database
/// for PostgreSQL, so Npgsql's periodic password provider really signs in with the token, and with the fresh one after
/// the role's password is rotated. Real (short) intervals: Npgsql's timer does not take a TimeProvider.
/// </summary>
public sealed class EntraPostgresTests : IAsyncLifetime
{
    private readonly string _role = $"entra_test_{Guid.NewGuid():N}";
    private readonly NpgsqlDataSource _admin = NpgsqlDataSource.Create(TestStack.Postgres);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using (var drop = _admin.CreateCommand($"DROP ROLE IF EXISTS {_role}"))
        {
            await drop.ExecuteNonQueryAsync();
        }
        await _admin.DisposeAsync();
    }

    [Fact]
    public async Task The_token_is_the_password_and_a_fresh_token_signs_in_after_rotation()
    {
        await ExecuteAsync($"CREATE ROLE {_role} LOGIN PASSWORD 'token-1'");
        var credential = new FakeTokenCredential(TimeProvider.System, "token-1", "token-2") { Lifetime = TimeSpan.FromSeconds(2) };
        var identity = new AzureIdentityOptions
        {
            Enabled = true,
            RefreshMargin = TimeSpan.FromSeconds(1),
            PasswordRefreshInterval = TimeSpan.FromMilliseconds(200),
            RetryInterval = TimeSpan.FromMilliseconds(100),
        };
        using var tokens = new EntraTokens(credential, TimeProvider.System, Options.Create(identity), NullLoggerFactory.Instance);
        await using var source = PostgresDataSources.Create(Passwordless(), SystemDatabase.ConnectionSetting, identity, tokens);

        Assert.Equal(_role, await CurrentUserAsync(source));
        Assert.Equal("https://ossrdbms-aad.database.windows.net/.default", credential.RequestedScopes[0]);

        await ExecuteAsync($"ALTER ROLE {_role} PASSWORD 'token-2'");
        // The first token is due at half its 2 s life; Npgsql asks again every 200 ms.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        source.Clear(); // the next open is a new physical connection, which sends the password

        Assert.Equal(_role, await CurrentUserAsync(source));
        Assert.True(credential.Issued >= 2, $"expected a refreshed token, {credential.Issued} issued");
    }

    [Fact]
    public async Task A_tool_that_cannot_get_a_token_fails_with_the_setting_and_resource_before_any_sql()
    {
        var credential = new FakeTokenCredential(TimeProvider.System) { Failure = new Azure.Identity.CredentialUnavailableException("no workload identity") };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([
            new(SystemDatabase.ConnectionSetting, "Host=127.0.0.1;Username=fathom;Database=fathom"),
            new("AzureIdentity:Enabled", "true"),
        ]).Build();

        var error = await Assert.ThrowsAsync<EntraSignInException>(
            () => PostgresDataSources.CreateForToolAsync(configuration, SystemDatabase.ConnectionSetting, CancellationToken.None, credential: credential));

        Assert.Contains("AzureIdentity__Enabled=true", error.Message, StringComparison.Ordinal);
        Assert.Contains("PostgresConnection", error.Message, StringComparison.Ordinal);
        Assert.Contains("no workload identity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_refuses_a_password_in_the_connection_string_when_passwordless_is_on()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([
            new(SystemDatabase.ConnectionSetting, "Host=127.0.0.1;Username=fathom;Password=pw1;Database=fathom"),
            new("AzureIdentity:Enabled", "true"),
        ]).Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => PostgresDataSources.CreateForToolAsync(configuration, SystemDatabase.ConnectionSetting, CancellationToken.None));

        Assert.Contains("AzureIdentity__Enabled is true but PostgresConnection has a password", error.Message, StringComparison.Ordinal);
    }

    private IConfiguration Passwordless()
    {
        var stack = new NpgsqlConnectionStringBuilder(TestStack.Postgres) { Username = _role, Password = null, Pooling = true };
        return new ConfigurationBuilder().AddInMemoryCollection([new(SystemDatabase.ConnectionSetting, stack.ConnectionString)]).Build();
    }

    private static async Task<string?> CurrentUserAsync(NpgsqlDataSource source)
    {
        await using var command = source.CreateCommand("SELECT current_user");
        return (string?)await command.ExecuteScalarAsync();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
