using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fathom.Testing;

namespace Auth.Functions.Tests;

/// <summary>Auth, Users and Tasks as separate processes on one fresh database, as they run behind the gateway.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public const string HostKey = "test-host-key-6b1f0e2d";

    public TestIdentity Identity { get; } = new();

    public TestDatabase Database { get; private set; } = null!;

    public FunctionAppProcess Auth { get; private set; } = null!;

    public FunctionAppProcess Users { get; private set; } = null!;

    public FunctionAppProcess Tasks { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string>(Identity.Settings)
        {
            ["PostgresConnection"] = Database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
            ["FunctionsHost__Key"] = HostKey,
            // Budgets of this run only, so parallel test runs on the shared Redis cannot spend each other's.
            ["RateLimiting__KeyPrefix"] = $"fathom:test:{Guid.NewGuid():N}",
            // Short locks, so a test can wait one out.
            ["Auth__Lockout__Duration"] = "00:00:02",
            ["Auth__Lockout__MaxDuration"] = "00:00:10",
            // The expired-session purge every second, on this run's own timer locks.
            ["Auth__PurgeSchedule"] = "*/1 * * * * *",
            ["FunctionsHost__Id"] = $"auth-tests-{Guid.NewGuid():N}",
        };
        var apps = await Task.WhenAll(
            FunctionAppProcess.StartAsync("Auth", settings),
            FunctionAppProcess.StartAsync("Users", settings),
            FunctionAppProcess.StartAsync("Tasks", settings));
        (Auth, Users, Tasks) = (apps[0], apps[1], apps[2]);
    }

    public static HttpClient Client(FunctionAppProcess app, string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = app.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    /// <summary>A new account; returns its email, password and id.</summary>
    public async Task<(string Email, string Password, Guid UserId)> SignUpAsync(string? email = null)
    {
        email ??= $"u{Guid.NewGuid():N}@example.test";
        const string password = "correct horse battery";
        using var client = Client(Auth);
        using var response = await client.PostAsJsonAsync("/api/auth/signup", new { email, password, displayName = "Ada" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (email, password, body.GetProperty("userId").GetGuid());
    }

    public async Task<Session> LogInAsync(string email, string password)
    {
        using var client = Client(Auth);
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "tokens must be sent with Cache-Control: no-store");
        return Session.From(await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>POST /api/auth/refresh: the new session, or the failure status.</summary>
    public async Task<(HttpStatusCode Status, Session? Session)> RefreshAsync(string refreshToken)
    {
        using var client = Client(Auth);
        using var response = await client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken });
        Assert.True(response.StatusCode != HttpStatusCode.OK || response.Headers.CacheControl?.NoStore == true, "tokens must be sent with Cache-Control: no-store");
        return response.StatusCode == HttpStatusCode.OK
            ? (response.StatusCode, Session.From(await response.Content.ReadFromJsonAsync<JsonElement>()))
            : (response.StatusCode, null);
    }

    public async Task<HttpStatusCode> StatusAsync(FunctionAppProcess app, string path, string bearer)
    {
        using var client = Client(app, bearer);
        using var response = await client.GetAsync(path);
        return response.StatusCode;
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Auth.DisposeAsync().AsTask(), Users.DisposeAsync().AsTask(), Tasks.DisposeAsync().AsTask());
        await Database.DisposeAsync();
    }
}

public sealed record Session(string AccessToken, string RefreshToken, string TokenType, long ExpiresIn)
{
    public static Session From(JsonElement body) => new(
        body.GetProperty("accessToken").GetString()!,
        body.GetProperty("refreshToken").GetString()!,
        body.GetProperty("tokenType").GetString()!,
        body.GetProperty("expiresIn").GetInt64());
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
