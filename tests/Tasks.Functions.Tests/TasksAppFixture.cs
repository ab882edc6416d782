using System.Net.Http.Headers;
using Fathom.Testing;

namespace Tasks.Functions.Tests;

/// <summary>The Tasks app on a fresh database, with two users.</summary>
public sealed class TasksAppFixture : IAsyncLifetime
{
    public TestIdentity Identity { get; } = new();

    public TestDatabase Database { get; private set; } = null!;

    public FunctionAppProcess App { get; private set; } = null!;

    public Guid Alice { get; private set; }

    public Guid Bob { get; private set; }

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Alice = await TestIdentity.CreateUserAsync(Database.Source);
        Bob = await TestIdentity.CreateUserAsync(Database.Source);
        var settings = new Dictionary<string, string>(Identity.Settings)
        {
            ["PostgresConnection"] = Database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
        };
        App = await FunctionAppProcess.StartAsync("Tasks", settings);
    }

    public HttpClient ClientFor(Guid user)
    {
        var client = new HttpClient { BaseAddress = App.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Identity.Token(user));
        return client;
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}
