using Azure.Core;
using Fathom.Connections.Entra;
using Fathom.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Fathom.Functions.Tests.Entra;

public sealed class EntraRegistrationTests
{
    [Fact]
    public async Task With_the_setting_off_no_credential_is_built_and_no_token_asked_for()
    {
        var built = 0;
        var credential = new FakeTokenCredential(TimeProvider.System, "token");
        var builder = FunctionsApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Services.AddSingleton<TokenCredential>(_ =>
        {
            built++;
            return credential;
        });
        await using var app = builder.Build();

        // What every app resolves at start: the Redis connections (with their sign-in) and the start-up check.
        _ = app.Services.GetRequiredService<RedisConnections>();
        _ = app.Services.GetRequiredService<EntraTokens>().ForPostgres("PostgresConnection");

        Assert.Equal(0, built);
        Assert.Empty(credential.RequestedScopes);
    }
}
