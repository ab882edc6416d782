using System.Net.Http.Headers;
using Fathom.Testing;

namespace Users.Functions.Tests;

/// <summary>Two replicas of the Users app sharing one database and the stack's Redis, and two users.</summary>
public sealed class UsersAppFixture : IAsyncLifetime
{
    public TestIdentity Identity { get; } = new();

    public TestDatabase Database { get; private set; } = null!;

    public FunctionAppProcess ReplicaA { get; private set; } = null!;

    public FunctionAppProcess ReplicaB { get; private set; } = null!;

    public Guid Alice { get; private set; }

    public Guid Bob { get; private set; }

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Alice = await TestIdentity.CreateUserAsync(Database.Source);
        Bob = await TestIdentity.CreateUserAsync(Database.Source);
        var replicas = await Task.WhenAll(
            FunctionAppProcess.StartAsync("Users", Settings(TestStack.Redis)),
            FunctionAppProcess.StartAsync("Users", Settings(TestStack.Redis)));
        (ReplicaA, ReplicaB) = (replicas[0], replicas[1]);
    }

    public Dictionary<string, string> Settings(string redis) => new(Identity.Settings)
    {
        ["PostgresConnection"] = Database.ConnectionString,
        ["RedisConnection"] = redis,
        ["RateLimiting__KeyPrefix"] = $"fathom:test:{Guid.NewGuid():N}",
    };

    public HttpClient ClientFor(FunctionAppProcess app, Guid user) => ClientFor(app, Identity.Token(user));

    public static HttpClient ClientFor(FunctionAppProcess app, string bearer)
    {
        var client = new HttpClient { BaseAddress = app.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    public async Task SetDisplayNameBehindTheAppsBackAsync(Guid user, string name)
    {
        await using var command = Database.Source.CreateCommand("UPDATE users SET display_name = $2 WHERE id = $1");
        command.Parameters.Add(new() { Value = user });
        command.Parameters.Add(new() { Value = name });
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(ReplicaA.DisposeAsync().AsTask(), ReplicaB.DisposeAsync().AsTask());
        await Database.DisposeAsync();
    }
}
