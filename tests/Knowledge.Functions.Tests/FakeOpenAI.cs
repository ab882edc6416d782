using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Knowledge.Functions.Tests;

/// <summary>
/// A real local HTTP server speaking the OpenAI API (embeddings and streamed chat completions), standing in
/// for an external provider. Embeddings count letters a–h, so texts sharing letters are close; the chat
/// model streams a fixed answer that cites [1].
/// </summary>
internal sealed class FakeOpenAI : IAsyncDisposable
{
    public const string Answer = "A keel keeps the boat upright [1].";

    private readonly WebApplication _app;

    private FakeOpenAI(WebApplication app) => _app = app;

    public ConcurrentQueue<string> ChatPrompts { get; } = new();

    public int EmbeddingCalls;

    public string BaseAddress { get; private set; } = "";

    public static async Task<FakeOpenAI> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeOpenAI(app);
        app.MapPost("/v1/embeddings", (RequestDelegate)fake.EmbeddingsAsync);
        app.MapPost("/v1/chat/completions", (RequestDelegate)fake.ChatAsync);
        await app.StartAsync();
        fake.BaseAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/v1";
        return fake;
    }

    private async Task EmbeddingsAsync(HttpContext context)
    {
        Interlocked.Increment(ref EmbeddingCalls);
        var body = (await JsonNode.ParseAsync(context.Request.Body))!;
        var inputs = body["input"] is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToList() : [body["input"]!.GetValue<string>()];
        var data = new JsonArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            var vector = new float[8];
            foreach (var c in inputs[i].ToLowerInvariant().Where(c => c is >= 'a' and <= 'h'))
            {
                vector[c - 'a']++;
            }
            var norm = MathF.Sqrt(vector.Sum(v => v * v));
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = new JsonArray([.. vector.Select(v => (JsonNode)JsonValue.Create(norm == 0 ? 0 : v / norm))]) });
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = data, ["model"] = "fake-embed", ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["total_tokens"] = 1 } }.ToJsonString());
    }

    private async Task ChatAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!;
        ChatPrompts.Enqueue(body["messages"]!.ToJsonString());
        context.Response.ContentType = "text/event-stream";
        foreach (var token in Answer.Split(' ').Select((w, i) => i == 0 ? w : " " + w))
        {
            var chunk = new JsonObject
            {
                ["id"] = "chatcmpl-fake", ["object"] = "chat.completion.chunk", ["created"] = 1700000000, ["model"] = "fake-chat",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = token }, ["finish_reason"] = null }),
            };
            await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
            await context.Response.Body.FlushAsync();
        }
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
