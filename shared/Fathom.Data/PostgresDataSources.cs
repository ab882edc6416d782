using System.Diagnostics;
using Azure.Core;
using Fathom.Connections.Entra;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fathom.Data;

/// <summary>
/// The one place Npgsql data sources are built (apps, the CLI's migrations and evaluation): the connection string
/// from its setting, and, with <c>AzureIdentity__Enabled</c>, an Entra token as the password.
/// </summary>
public static class PostgresDataSources
{
    public static NpgsqlDataSource Create(
        IConfiguration configuration, string setting, AzureIdentityOptions identity, EntraTokens? tokens, Action<NpgsqlSlimDataSourceBuilder>? configure = null)
    {
        var connection = ConnectionSettings.Value(configuration, setting)
            ?? throw new InvalidOperationException($"The setting '{setting}' (a Postgres connection string) is not set.");
        // The slim builder leaves out what Native AOT cannot trim (JSON POCO mapping, ranges we do not use).
        var dataSource = new NpgsqlSlimDataSourceBuilder(connection);
        dataSource.EnableArrays();
        // Commands outside any request or invocation (migrations, warm-up) would each start a one-span trace: noise.
        dataSource.ConfigureTracing(tracing => tracing.ConfigureCommandFilter(_ => Activity.Current is not null));
        if (identity.Enabled)
        {
            var source = (tokens ?? throw new InvalidOperationException($"{AzureIdentityOptions.EnabledSetting} is true but no token source was given."))
                .ForPostgres(setting);
            // Npgsql keeps each password for PasswordRefreshInterval and only sends it when it opens a physical
            // connection; the token source hands out a token that stays valid at least RefreshMargin (> that interval).
            dataSource.UsePeriodicPasswordProvider(
                async (_, ct) => (await source.GetTokenAsync(ct)).Token, identity.PasswordRefreshInterval, identity.RetryInterval);
        }
        configure?.Invoke(dataSource);
        return dataSource.Build();
    }

    /// <summary>
    /// For a tool outside the function host (the CLI, the migration Job): the same settings, validated the same way; with
    /// passwordless on, the token is fetched first so that a failure is one clear error before any SQL runs.
    /// </summary>
    public static async Task<NpgsqlDataSource> CreateForToolAsync(
        IConfiguration configuration, string setting, CancellationToken cancellationToken,
        Action<NpgsqlSlimDataSourceBuilder>? configure = null, TokenCredential? credential = null)
    {
        var identity = configuration.GetSection(AzureIdentityOptions.Section).Get<AzureIdentityOptions>() ?? new AzureIdentityOptions();
        var validation = new AzureIdentityOptionsValidator(configuration).Validate(null, identity);
        if (validation.Failed)
        {
            throw new InvalidOperationException(validation.FailureMessage);
        }
        EntraTokens? tokens = null;
        if (identity.Enabled)
        {
            tokens = new EntraTokens(credential ?? AzureSignIn.Credential($"{AzureIdentityOptions.EnabledSetting} is true"), TimeProvider.System, Options.Create(identity), NullLoggerFactory.Instance);
            await tokens.ForPostgres(setting).GetTokenAsync(cancellationToken);
        }
        return Create(configuration, setting, identity, tokens, configure);
    }
}
