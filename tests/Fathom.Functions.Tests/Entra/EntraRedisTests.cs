using Fathom.Connections.Entra;
using Fathom.Redis;
using Fathom.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Fathom.Functions.Tests.Entra;

/// <summary>
/// Against the real local Redis: an ACL user whose password is the fake credential's token stands in for Azure Cache
/// for Redis, so the token really is what signs the connection in, and a rotated password shows the fresh token is used.
/// </summary>
public sealed class EntraRedisTests : IAsyncLifetime
{
    private readonly string _user = $"entra-test-{Guid.NewGuid():N}";
    private readonly FakeTimeProvider _time = new();
    private ConnectionMultiplexer _admin = null!;

    public async Task InitializeAsync() => _admin = await ConnectionMultiplexer.ConnectAsync(TestStack.Redis + ",allowAdmin=true");

    public async Task DisposeAsync()
    {
        await _admin.GetServers()[0].ExecuteAsync("ACL", "DELUSER", _user);
        await _admin.DisposeAsync();
    }

    [Fact]
    public async Task Redis_signs_in_with_the_token_and_re_authenticates_with_a_fresh_one_before_expiry()
    {
        var admin = _admin.GetServers()[0];
        await admin.ExecuteAsync("ACL", "SETUSER", _user, "on", ">token-1", "~*", "&*", "+@all");
        var credential = new FakeTokenCredential(_time, "token-1", "token-2");
        var log = new ListLogger<EntraRedisSignIn>();
        var options = Options.Create(new AzureIdentityOptions { Enabled = true, RedisUserName = _user });
        using var tokens = new EntraTokens(credential, _time, options, NullLoggerFactory.Instance);
        await using var connections = new RedisConnections(PasswordlessRedis(), new EntraRedisSignIn(tokens, options, _time, log));

        var redis = (await connections.GetAsync()).GetDatabase();
        Assert.Equal(_user, (string?)await redis.ExecuteAsync("ACL", "WHOAMI"));
        Assert.Equal(["https://redis.azure.com/.default"], credential.RequestedScopes);

        // Rotate: only the next token signs in from now on; live connections stay signed in as they are.
        await admin.ExecuteAsync("ACL", "SETUSER", _user, "resetpass", ">token-2");
        _time.Advance(TimeSpan.FromMinutes(50)); // 10 minutes before the first token's expiry
        await log.WaitForAsync("re-authenticated with a fresh Entra token on 1 server(s)", TimeSpan.FromSeconds(10));
        Assert.Equal(2, credential.Issued);

        // A dropped connection comes back signed in with the current token (the first one no longer works).
        await admin.ExecuteAsync("CLIENT", "KILL", "USER", _user);
        Assert.Equal(_user, await EventuallyAsync(async () => (string?)await redis.ExecuteAsync("ACL", "WHOAMI")));
    }

    [Fact]
    public async Task A_token_the_server_refuses_is_not_counted_as_re_authenticated()
    {
        var admin = _admin.GetServers()[0];
        await admin.ExecuteAsync("ACL", "SETUSER", _user, "on", ">token-1", "~*", "&*", "+@all");
        var credential = new FakeTokenCredential(_time, "token-1");
        var options = Options.Create(new AzureIdentityOptions { Enabled = true, RedisUserName = _user });
        using var tokens = new EntraTokens(credential, _time, options, NullLoggerFactory.Instance);
        var signIn = new EntraRedisSignIn(tokens, options, _time, new ListLogger<EntraRedisSignIn>());
        await using var connections = new RedisConnections(PasswordlessRedis(), signIn);
        var multiplexer = await connections.GetAsync();

        Assert.Equal(1, await signIn.ReauthenticateAsync(multiplexer, "token-1", CancellationToken.None));
        Assert.Equal(0, await signIn.ReauthenticateAsync(multiplexer, "not-the-token", CancellationToken.None));
    }

    [Fact]
    public async Task A_token_failure_is_not_cached_the_next_call_connects()
    {
        var admin = _admin.GetServers()[0];
        await admin.ExecuteAsync("ACL", "SETUSER", _user, "on", ">token-1", "~*", "&*", "+@all");
        var credential = new FakeTokenCredential(_time, "token-1") { Failure = new InvalidOperationException("token endpoint down") };
        var options = Options.Create(new AzureIdentityOptions { Enabled = true, RedisUserName = _user });
        using var tokens = new EntraTokens(credential, _time, options, NullLoggerFactory.Instance);
        await using var connections = new RedisConnections(PasswordlessRedis(), new EntraRedisSignIn(tokens, options, _time, new ListLogger<EntraRedisSignIn>()));

        var error = await Assert.ThrowsAsync<EntraSignInException>(() => connections.GetAsync());
        credential.Failure = null;
        var redis = (await connections.GetAsync()).GetDatabase();

        Assert.Contains("Azure Cache for Redis (RedisConnection, scope https://redis.azure.com/.default)", error.Message, StringComparison.Ordinal);
        Assert.Equal(_user, (string?)await redis.ExecuteAsync("ACL", "WHOAMI"));
    }

    /// <summary>The test stack's Redis address without its password: the token is the only way in.</summary>
    private static IConfiguration PasswordlessRedis()
    {
        var stack = ConfigurationOptions.Parse(TestStack.Redis);
        var passwordless = new ConfigurationOptions { Ssl = false };
        foreach (var endPoint in stack.EndPoints)
        {
            passwordless.EndPoints.Add(endPoint);
        }
        return new ConfigurationBuilder().AddInMemoryCollection([new(RedisConnections.DefaultSetting, passwordless.ToString())]).Build();
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RedisException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
