using Azure.Core;
using Azure.Identity;
using Fathom.Connections.Entra;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fathom.Functions.Tests.Entra;

/// <summary>The host itself, in process: passwordless on, and either no token or a password left in a setting.</summary>
public sealed class EntraStartupTests
{
    [Fact]
    public async Task An_app_that_cannot_get_a_token_does_not_start_and_says_which_setting_and_resource()
    {
        var credential = new FakeTokenCredential(TimeProvider.System) { Failure = new CredentialUnavailableException("WorkloadIdentityCredential authentication unavailable.") };
        await using var app = Build(credential,
            ("PostgresConnection", "Host=fathom.postgres.database.azure.com;Username=fathom-ingestion;Database=fathom;SSL Mode=Require"),
            ("RedisConnection", "fathom.redis.cache.windows.net:6380,ssl=true"));

        var error = await Assert.ThrowsAsync<EntraSignInException>(() => app.StartAsync());

        Assert.Contains("AzureIdentity__Enabled=true", error.Message, StringComparison.Ordinal);
        Assert.Matches("(Azure Database for PostgreSQL \\(PostgresConnection|Azure Cache for Redis \\(RedisConnection)", error.Message);
        Assert.Contains("WorkloadIdentityCredential authentication unavailable.", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://ossrdbms-aad.database.windows.net/.default", credential.RequestedScopes);
        Assert.Contains("https://redis.azure.com/.default", credential.RequestedScopes);
    }

    [Fact]
    public async Task An_app_with_a_password_left_in_a_connection_string_does_not_start()
    {
        var credential = new FakeTokenCredential(TimeProvider.System, "token");
        await using var app = Build(credential,
            ("PostgresConnection", "Host=fathom.postgres.database.azure.com;Username=fathom;Password=pw1;Database=fathom"),
            ("RedisConnection", "fathom.redis.cache.windows.net:6380,ssl=true,password=pw1"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("AzureIdentity__Enabled is true but PostgresConnection has a password", error.Message, StringComparison.Ordinal);
        Assert.Contains("AzureIdentity__Enabled is true but RedisConnection has a password", error.Message, StringComparison.Ordinal);
        Assert.Empty(credential.RequestedScopes);
    }

    [Fact]
    public async Task Passwordless_Redis_needs_the_identity_object_id_as_user_name()
    {
        await using var app = Build(new FakeTokenCredential(TimeProvider.System, "token"), withRedisUser: false, ("RedisConnection", "fathom.redis.cache.windows.net:6380,ssl=true"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("AzureIdentity__RedisUserName", error.Message, StringComparison.Ordinal);
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Build(TokenCredential credential, params (string Name, string Value)[] settings)
        => Build(credential, true, settings);

    private static Microsoft.AspNetCore.Builder.WebApplication Build(TokenCredential credential, bool withRedisUser, params (string Name, string Value)[] settings)
    {
        var builder = FunctionsApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Configuration.AddInMemoryCollection([
            new("AzureIdentity:Enabled", "true"),
            .. withRedisUser ? [new KeyValuePair<string, string?>("AzureIdentity:RedisUserName", "00000000-0000-0000-0000-000000000001")] : Array.Empty<KeyValuePair<string, string?>>(),
            .. settings.Select(s => new KeyValuePair<string, string?>(s.Name, s.Value)),
        ]);
        builder.Services.AddSingleton(credential);
        return builder.Build();
    }
}
