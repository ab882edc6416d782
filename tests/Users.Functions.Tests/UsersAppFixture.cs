using Fathom.Testing;

namespace Users.Functions.Tests;

/// <summary>Two replicas of the Users app sharing one database and the stack's Redis, and two users.</summary>
public sealed class UsersAppFixture : AppFixture
{
    public FunctionAppProcess ReplicaA { get; private set; } = null!;

    public FunctionAppProcess ReplicaB { get; private set; } = null!;

    protected override IEnumerable<FunctionAppProcess> Apps => [ReplicaA, ReplicaB];

    protected override async Task StartAppsAsync()
    {
        var replicas = await Task.WhenAll(
            FunctionAppProcess.StartAsync("Users", Settings(TestStack.Redis)),
            FunctionAppProcess.StartAsync("Users", Settings(TestStack.Redis)));
        (ReplicaA, ReplicaB) = (replicas[0], replicas[1]);
    }

    /// <summary>This fixture's settings with Redis at <paramref name="redis"/> (a proxy that can cut it off, say).</summary>
    public Dictionary<string, string> Settings(string redis) => BaseSettings(redis);

    public async Task SetDisplayNameBehindTheAppsBackAsync(Guid user, string name)
    {
        await using var command = Database.Source.CreateCommand("UPDATE users SET display_name = $2 WHERE id = $1");
        command.Parameters.Add(new() { Value = user });
        command.Parameters.Add(new() { Value = name });
        await command.ExecuteNonQueryAsync();
    }
}
