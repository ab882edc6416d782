using System.Net;
using System.Net.Http.Json;
using Fathom.Testing;

namespace Auth.Functions.Tests;

/// <summary>Auth, Users and Tasks as separate processes on one fresh database, as they run behind the gateway.</summary>
public sealed class PlatformFixture : AppFixture
{
    public const string HostKey = "test-host-key-6b1f0e2d";

    public FunctionAppProcess Auth { get; private set; } = null!;

    public FunctionAppProcess Users { get; private set; } = null!;

    public FunctionAppProcess Tasks { get; private set; } = null!;

    protected override IEnumerable<FunctionAppProcess> Apps => [Auth, Users, Tasks];

    protected override async Task StartAppsAsync()
    {
        var settings = BaseSettings();
        settings["FunctionsHost__Key"] = HostKey;
        // Short locks, so a test can wait one out.
        settings["Auth__Lockout__Duration"] = "00:00:02";
        settings["Auth__Lockout__MaxDuration"] = "00:00:10";
        // The expired-session purge every second, on this run's own timer locks.
        settings["Auth__PurgeSchedule"] = "*/1 * * * * *";
        settings["FunctionsHost__Id"] = $"auth-tests-{Guid.NewGuid():N}";
        var apps = await Task.WhenAll(
            FunctionAppProcess.StartAsync("Auth", settings),
            FunctionAppProcess.StartAsync("Users", settings),
            FunctionAppProcess.StartAsync("Tasks", settings));
        (Auth, Users, Tasks) = (apps[0], apps[1], apps[2]);
    }

    /// <summary>A new account; returns its email, password and id.</summary>
    public async Task<(string Email, string Password, Guid UserId)> SignUpAsync(string? email = null)
    {
        email ??= $"u{Guid.NewGuid():N}@example.test";
        const string password = "correct horse battery";
        using var client = Client(Auth);
        using var response = await client.PostAsJsonAsync("/api/auth/signup", new { email, password, displayName = "Ada" });
        return (email, password, (await response.ReadAsync<SignedUp>(HttpStatusCode.Created)).UserId);
    }

    public async Task<Session> LogInAsync(string email, string password)
    {
        using var client = Client(Auth);
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        var session = await response.ReadAsync<Session>();
        Assert.True(response.Headers.CacheControl?.NoStore, "tokens must be sent with Cache-Control: no-store");
        return session;
    }

    /// <summary>POST /api/auth/refresh: the new session, or the failure status.</summary>
    public async Task<(HttpStatusCode Status, Session? Session)> RefreshAsync(string refreshToken)
    {
        using var client = Client(Auth);
        using var response = await client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken });
        Assert.True(response.StatusCode != HttpStatusCode.OK || response.Headers.CacheControl?.NoStore == true, "tokens must be sent with Cache-Control: no-store");
        return response.StatusCode == HttpStatusCode.OK
            ? (response.StatusCode, await response.ReadAsync<Session>())
            : (response.StatusCode, null);
    }

    public async Task<HttpStatusCode> StatusAsync(FunctionAppProcess app, string path, string bearer)
    {
        using var client = Client(app, bearer);
        using var response = await client.GetAsync(path);
        return response.StatusCode;
    }
}

public sealed record Session(string AccessToken, string RefreshToken, string TokenType, long ExpiresIn);

public sealed record SignedUp(Guid UserId);

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
