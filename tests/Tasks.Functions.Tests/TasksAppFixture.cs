using Fathom.Testing;

namespace Tasks.Functions.Tests;

/// <summary>The Tasks app on a fresh database, with two users.</summary>
public sealed class TasksAppFixture : AppFixture
{
    public FunctionAppProcess App { get; private set; } = null!;

    protected override IEnumerable<FunctionAppProcess> Apps => [App];

    protected override async Task StartAppsAsync() => App = await FunctionAppProcess.StartAsync("Tasks", BaseSettings());

    public HttpClient ClientFor(Guid user) => ClientFor(App, user);
}
