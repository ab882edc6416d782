using Fathom.Functions;
using Fathom.Redis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Fathom.Functions.Tests.Worker;

/// <summary>Handles entries by their <c>mode</c>: ok, fail (throws) or slow (takes <c>ms</c> milliseconds); records what happened in Redis.</summary>
public sealed class Work(RedisConnections redis, IConfiguration configuration)
{
    [Function(nameof(Work))]
    public async Task Run(
        [RedisStreamTrigger("RedisConnection", "%WorkStream%", ConsumerGroup = "workers")] StreamEntry entry,
        FunctionContext context)
    {
        var db = (await redis.GetAsync()).GetDatabase();
        var stream = configuration["WorkStream"];
        var job = entry["job"].ToString();
        await db.HashIncrementAsync($"{stream}:attempts", job);
        await db.ListRightPushAsync($"{stream}:deliveries:{job}", $"{context.DeliveryCount}:{(context.IsLastDelivery ? "last" : "more")}");
        await db.SetAddAsync($"{stream}:started", job);
        switch (entry["mode"].ToString())
        {
            case "fail":
                throw new InvalidOperationException($"Job {job} always fails.");
            case "slow":
                await Task.Delay(int.Parse(entry["ms"].ToString(), System.Globalization.CultureInfo.InvariantCulture), context.CancellationToken);
                break;
        }
        await db.SetAddAsync($"{stream}:done", job);
    }
}

/// <summary>Records every run with the second it ran in.</summary>
public sealed class Tick(RedisConnections redis, IConfiguration configuration)
{
    [Function(nameof(Tick))]
    public async Task Run([TimerTrigger("%TickSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var db = (await redis.GetAsync()).GetDatabase();
        await db.ListRightPushAsync($"{configuration["FunctionsHost:Id"]}:ticks", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }
}

public sealed class Ping
{
    [Function(nameof(Ping))]
    public Ok<string> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "ping")] HttpRequest req) => TypedResults.Ok("pong");
}

public sealed class Secret
{
    [Function(nameof(Secret))]
    public Ok<string> Run([HttpTrigger(AuthorizationLevel.Function, "get", Route = "internal/secret")] HttpRequest req) => TypedResults.Ok("internal");
}

public sealed record Note(string Title, IReadOnlyList<NoteLine> Lines);

public sealed record NoteLine(string Text);

/// <summary>Echoes a JSON body: what reaches a function once the host has bound it.</summary>
public sealed class Echo
{
    [Function(nameof(Echo))]
    public Ok<Note> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "echo")] HttpRequest req, [FromBody] Note note) => TypedResults.Ok(note);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Note))]
internal sealed partial class WorkerJson : System.Text.Json.Serialization.JsonSerializerContext;
