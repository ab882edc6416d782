using System.Net;
using Fathom.Testing;

namespace Fathom.RateLimiting.Tests;

/// <summary>Anonymous calls have only the client address's budget; X-Forwarded-For counts only when trusted.</summary>
public sealed class ClientAddressTests : IAsyncLifetime
{
    private readonly TestIdentity _identity = new();
    private FunctionAppProcess _direct = null!;
    private FunctionAppProcess _behindProxy = null!;
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        Dictionary<string, string> Settings(bool trustForwardedFor) => new(_identity.Settings)
        {
            ["PostgresConnection"] = _database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
            ["RateLimiting__KeyPrefix"] = $"fathom:test:{Guid.NewGuid():N}",
            // A loaded test machine can be slower than production's 250 ms; failing open here would hide the limit.
            ["RateLimiting__RedisTimeout"] = "00:00:02",
            // The test calls from 127.0.0.1: as the proxy in front of the second app, with 10.0.0.0/8 as its network.
            ["RateLimiting__TrustedProxies"] = trustForwardedFor ? "127.0.0.1, 10.0.0.0/8" : "",
            ["RateLimiting__Rules__0__PathPrefix"] = "/api/auth/jwks",
            ["RateLimiting__Rules__0__PermitsPerMinute"] = "6",
            ["RateLimiting__Rules__0__Burst"] = "3",
        };
        var apps = await Task.WhenAll(FunctionAppProcess.StartAsync("Auth", Settings(false)), FunctionAppProcess.StartAsync("Auth", Settings(true)));
        (_direct, _behindProxy) = (apps[0], apps[1]);
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_direct.DisposeAsync().AsTask(), _behindProxy.DisposeAsync().AsTask());
        await _database.DisposeAsync();
    }

    private static async Task<HttpResponseMessage> GetJwks(FunctionAppProcess app, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/jwks");
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return await app.Client.SendAsync(request);
    }

    [Fact]
    public async Task Anonymous_calls_are_limited_per_address_and_a_made_up_forwarded_for_does_not_escape()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await GetJwks(_direct);
            statuses.Add(ok.StatusCode);
        }
        using var fourth = await GetJwks(_direct);
        using var spoofed = await GetJwks(_direct, "198.51.100.23");
        using var otherRoute = await _direct.Client.PostAsync("/api/auth/refresh", new StringContent("{\"refreshToken\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.InRange(fourth.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 10);
        Assert.Equal(HttpStatusCode.TooManyRequests, spoofed.StatusCode);
        // The rule covers /api/auth/jwks only; the rest of Auth has the default budget.
        Assert.Equal(HttpStatusCode.Unauthorized, otherRoute.StatusCode);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget()
    {
        for (var i = 0; i < 3; i++)
        {
            using var ok = await GetJwks(_behindProxy, "203.0.113.7");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var spent = await GetJwks(_behindProxy, "203.0.113.7, 10.0.0.1");
        // The nearest untrusted hop counts: 10.0.0.1 is a proxy of ours, shared by everyone behind it.
        using var anotherClient = await GetJwks(_behindProxy, "203.0.113.8, 10.0.0.1");
        // A client that writes a made-up address in front of its own is still counted as itself.
        using var spoofed = await GetJwks(_behindProxy, "198.51.100.99, 203.0.113.7");

        Assert.Equal(HttpStatusCode.TooManyRequests, spent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anotherClient.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, spoofed.StatusCode);
    }
}
