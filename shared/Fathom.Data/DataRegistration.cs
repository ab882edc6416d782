using Fathom.Connections;
using Fathom.Connections.Entra;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Trace;

namespace Fathom.Data;

public static class DataRegistration
{
    /// <summary>The system-of-record data source from <c>PostgresConnection</c>, with a readiness check.</summary>
    public static TBuilder AddSystemDatabase<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(sp => new SystemDatabase(Build(sp, SystemDatabase.ConnectionSetting, BuiltInTypesOnly)));
        builder.Services.AddDatabaseTracing();
        builder.Services.AddDatabaseExceptionHandler();
        builder.Services.AddSingleton<IWarmUp>(sp => new DatabaseWarmUp("postgres", sp.GetRequiredService<SystemDatabase>().Source));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "postgres", sp => new DatabaseReadinessCheck(sp.GetRequiredService<SystemDatabase>().Source), HealthStatus.Unhealthy, ["ready"], TimeSpan.FromSeconds(3)));
        return builder;
    }

    /// <summary>The vector store data source from <c>VectorStoreConnection</c>; <paramref name="configure"/> adds type plugins (pgvector).</summary>
    public static TBuilder AddVectorDatabase<TBuilder>(this TBuilder builder, Action<NpgsqlSlimDataSourceBuilder>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(sp => new VectorDatabase(Build(sp, VectorDatabase.ConnectionSetting, configure)));
        builder.Services.AddDatabaseTracing();
        builder.Services.AddDatabaseExceptionHandler();
        builder.Services.AddSingleton<IWarmUp>(sp => new DatabaseWarmUp("vectorstore", sp.GetRequiredService<VectorDatabase>().Source));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "vectorstore", sp => new DatabaseReadinessCheck(sp.GetRequiredService<VectorDatabase>().Source), HealthStatus.Unhealthy, ["ready"], TimeSpan.FromSeconds(3)));
        return builder;
    }

    /// <summary>
    /// The system of record's columns are all of PostgreSQL's built-in types (no enums, no extension types), so its data
    /// source need not read the server's type catalogue when it first connects: that query and the mapping built from
    /// it were most of the first authenticated request after a scale from zero (bench/ANALYSIS.md, section 4).
    /// </summary>
    private static void BuiltInTypesOnly(NpgsqlSlimDataSourceBuilder dataSource)
        => dataSource.ConfigureTypeLoading(types => types.EnableTypeLoading(false));

    private static void AddDatabaseExceptionHandler(this IServiceCollection services)
    {
        if (!services.Any(s => s.ImplementationType == typeof(DatabaseExceptionHandler)))
        {
            services.AddExceptionHandler<DatabaseExceptionHandler>();
        }
    }

    /// <summary>Npgsql's command spans, when the host traces at all (the host's <c>Tracing</c>); a no-op otherwise.</summary>
    private static void AddDatabaseTracing(this IServiceCollection services)
        => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddNpgsql());

    private static NpgsqlDataSource Build(IServiceProvider services, string setting, Action<NpgsqlSlimDataSourceBuilder>? configure)
    {
        var identity = services.GetRequiredService<IOptions<AzureIdentityOptions>>().Value;
        return PostgresDataSources.Create(
            services.GetRequiredService<IConfiguration>(), setting, identity, identity.Enabled ? services.GetRequiredService<EntraTokens>() : null, configure);
    }
}

internal sealed class DatabaseReadinessCheck(NpgsqlDataSource source) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = source.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}

/// <summary>Opens (and returns to the pool) one connection: the TCP handshake, authentication and Npgsql's type loading.</summary>
internal sealed class DatabaseWarmUp(string name, NpgsqlDataSource source) : IWarmUp
{
    public string Name => name;

    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
    }
}
