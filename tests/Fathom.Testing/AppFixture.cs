using System.Net.Http.Headers;
using Xunit;

namespace Fathom.Testing;

/// <summary>
/// What every app fixture shares: a fresh database with two users (Alice and Bob), the identity that signs their
/// tokens, the settings that point an app at this database and the stack's Redis, and clients that call an app as
/// a user. A fixture says only which apps it starts, with which extra settings.
/// </summary>
public abstract class AppFixture : IAsyncLifetime
{
    public TestIdentity Identity { get; } = new();

    public TestDatabase Database { get; private set; } = null!;

    public Guid Alice { get; private set; }

    public Guid Bob { get; private set; }

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Alice = await TestIdentity.CreateUserAsync(Database.Source);
        Bob = await TestIdentity.CreateUserAsync(Database.Source);
        await StartAppsAsync();
    }

    /// <summary>Starts the fixture's apps, once the database and users exist.</summary>
    protected abstract Task StartAppsAsync();

    /// <summary>The apps to stop when the fixture ends.</summary>
    protected abstract IEnumerable<FunctionAppProcess> Apps { get; }

    /// <summary>
    /// The identity's keys, this database and the stack's Redis, and rate-limit budgets of this fixture only (so
    /// parallel runs on the shared Redis cannot spend each other's); the limits themselves stay the real ones.
    /// </summary>
    protected Dictionary<string, string> BaseSettings(string? redis = null) => new(Identity.Settings)
    {
        ["PostgresConnection"] = Database.ConnectionString,
        ["RedisConnection"] = redis ?? TestStack.Redis,
        ["RateLimiting__KeyPrefix"] = $"fathom:test:{Guid.NewGuid():N}",
    };

    public HttpClient ClientFor(FunctionAppProcess app, Guid user) => Client(app, Identity.Token(user));

    /// <summary>A client for <paramref name="app"/>, signed in with <paramref name="bearer"/> when given.</summary>
    public static HttpClient Client(FunctionAppProcess app, string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = app.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    public virtual async Task DisposeAsync()
    {
        await Task.WhenAll(Apps.Where(a => a is not null).Select(a => a.DisposeAsync().AsTask()));
        await Database.DisposeAsync();
    }
}
