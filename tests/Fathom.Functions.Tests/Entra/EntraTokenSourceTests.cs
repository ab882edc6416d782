using Azure.Identity;
using Fathom.Connections.Entra;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Fathom.Functions.Tests.Entra;

public sealed class EntraTokenSourceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    private EntraTokens Tokens(FakeTokenCredential credential)
        => new(credential, _time, Options.Create(new AzureIdentityOptions { Enabled = true, RefreshMargin = TimeSpan.FromMinutes(10) }), NullLoggerFactory.Instance);

    [Fact]
    public async Task Postgres_and_Redis_tokens_are_asked_for_with_their_Entra_scopes()
    {
        var credential = new FakeTokenCredential(_time, "token");
        using var tokens = Tokens(credential);

        await tokens.ForPostgres("PostgresConnection").GetTokenAsync(CancellationToken.None);
        await tokens.ForPostgres("VectorStoreConnection").GetTokenAsync(CancellationToken.None);
        await tokens.ForRedis("RedisConnection").GetTokenAsync(CancellationToken.None);

        Assert.Equal(
            ["https://ossrdbms-aad.database.windows.net/.default", "https://ossrdbms-aad.database.windows.net/.default", "https://redis.azure.com/.default"],
            credential.RequestedScopes);
    }

    [Fact]
    public async Task A_token_is_reused_until_ten_minutes_before_it_expires_then_replaced_while_still_valid()
    {
        var credential = new FakeTokenCredential(_time, "first", "second");
        using var tokens = Tokens(credential);
        var source = tokens.ForRedis("RedisConnection");

        var first = await source.GetTokenAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(49));
        var stillFirst = await source.GetTokenAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await source.GetTokenAsync(CancellationToken.None);

        Assert.Equal("first", stillFirst.Token);
        Assert.Equal("second", second.Token);
        Assert.Equal(2, credential.Issued);
        Assert.True(_time.GetUtcNow() < first.ExpiresOn, "the refresh came before the first token expired");
        Assert.Equal(first.ExpiresOn - TimeSpan.FromMinutes(10), _time.GetUtcNow());
    }

    [Fact]
    public async Task A_short_lived_token_is_replaced_at_half_its_life()
    {
        var credential = new FakeTokenCredential(_time, "short", "next") { Lifetime = TimeSpan.FromMinutes(4) };
        using var tokens = Tokens(credential);
        var source = tokens.ForPostgres("PostgresConnection");

        await source.GetTokenAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1.9));
        Assert.Equal("short", (await source.GetTokenAsync(CancellationToken.None)).Token);
        _time.Advance(TimeSpan.FromMinutes(0.1));
        Assert.Equal("next", (await source.GetTokenAsync(CancellationToken.None)).Token);
    }

    [Fact]
    public async Task Callers_at_once_share_one_fetch()
    {
        var credential = new FakeTokenCredential(_time, "one", "two");
        using var tokens = Tokens(credential);
        var source = tokens.ForPostgres("PostgresConnection");

        var all = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => source.GetTokenAsync(CancellationToken.None).AsTask()));

        Assert.All(all, token => Assert.Equal("one", token.Token));
        Assert.Equal(1, credential.Issued);
    }

    [Fact]
    public async Task A_credential_failure_names_the_setting_the_resource_and_the_scope()
    {
        var credential = new FakeTokenCredential(_time) { Failure = new CredentialUnavailableException("WorkloadIdentityCredential authentication unavailable.") };
        using var tokens = Tokens(credential);

        var error = await Assert.ThrowsAsync<EntraSignInException>(() => tokens.ForPostgres("PostgresConnection").GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Contains("AzureIdentity__Enabled=true", error.Message, StringComparison.Ordinal);
        Assert.Contains("Azure Database for PostgreSQL (PostgresConnection, scope https://ossrdbms-aad.database.windows.net/.default)", error.Message, StringComparison.Ordinal);
        Assert.Contains("WorkloadIdentityCredential authentication unavailable.", error.Message, StringComparison.Ordinal);
        Assert.IsType<CredentialUnavailableException>(error.InnerException);
    }
}
