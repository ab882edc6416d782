using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fathom.Testing;

namespace Fathom.RateLimiting.Tests;

/// <summary>Two replicas of Tasks behind one Redis must enforce one budget, not one each.</summary>
public sealed class SharedBudgetTests : IAsyncLifetime
{
    private readonly TestIdentity _identity = new();
    private TestDatabase _database = null!;
    private FunctionAppProcess _replicaA = null!;
    private FunctionAppProcess _replicaB = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string>(_identity.Settings)
        {
            ["PostgresConnection"] = _database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
            ["RateLimiting__KeyPrefix"] = $"fathom:test:{Guid.NewGuid():N}",
            // A loaded test machine can be slower than production's 250 ms; failing open here would hide the limit.
            ["RateLimiting__RedisTimeout"] = "00:00:02",
            // Per caller: 4 at once, then one every 10 s. Per IP: roomy, so the caller budget is what shows.
            ["RateLimiting__Default__PermitsPerMinute"] = "6",
            ["RateLimiting__Default__Burst"] = "4",
            ["RateLimiting__Default__IpPermitsPerMinute"] = "600",
            ["RateLimiting__Default__IpBurst"] = "100",
        };
        var replicas = await Task.WhenAll(FunctionAppProcess.StartAsync("Tasks", settings), FunctionAppProcess.StartAsync("Tasks", settings));
        (_replicaA, _replicaB) = (replicas[0], replicas[1]);
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_replicaA.DisposeAsync().AsTask(), _replicaB.DisposeAsync().AsTask());
        await _database.DisposeAsync();
    }

    private HttpClient Client(FunctionAppProcess app, Guid user)
    {
        var client = new HttpClient { BaseAddress = app.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _identity.Token(user));
        return client;
    }

    [Fact]
    public async Task Alternating_between_replicas_spends_one_shared_budget()
    {
        var user = await TestIdentity.CreateUserAsync(_database.Source);
        using var onA = Client(_replicaA, user);
        using var onB = Client(_replicaB, user);

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            responses.Add(await (i % 2 == 0 ? onA : onB).GetAsync("/api/tasks"));
        }

        Assert.Equal(4, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(responses.Take(4), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var refused in responses.Skip(4))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 10);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("requestId").GetString()));
        }
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task One_callers_spent_budget_leaves_others_and_health_checks_alone()
    {
        var greedy = await TestIdentity.CreateUserAsync(_database.Source);
        var patient = await TestIdentity.CreateUserAsync(_database.Source);
        using var greedyClient = Client(_replicaA, greedy);
        for (var i = 0; i < 5; i++)
        {
            using var _ = await greedyClient.GetAsync("/api/tasks");
        }
        using var refused = await greedyClient.GetAsync("/api/tasks");

        using var other = Client(_replicaB, patient);
        using var allowed = await other.GetAsync("/api/tasks");
        using var health = await _replicaA.Client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
