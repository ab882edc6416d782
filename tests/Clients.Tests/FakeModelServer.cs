using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Clients.Tests;

/// <summary>
/// A real local HTTP server speaking the OpenAI API, standing in for the chat and embedding models Fathom is
/// configured with. It keeps every chat request it was sent (so tests see what reached the model), streams a
/// fixed answer citing [1] — cut to <c>max_completion_tokens</c> words with <c>finish_reason: "length"</c> — and
/// embeds by counting letters into <c>dimensions</c> buckets (8 unless asked otherwise).
/// </summary>
internal sealed class FakeModelServer : IAsyncDisposable
{
    public const string Answer = "A keel keeps the boat upright [1].";
    public const int Dimensions = 8;

    private readonly WebApplication _app;

    private FakeModelServer(WebApplication app) => _app = app;

    public ConcurrentQueue<JsonObject> ChatRequests { get; } = new();

    public string BaseAddress { get; private set; } = "";

    public static async Task<FakeModelServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeModelServer(app);
        app.MapPost("/v1/embeddings", (RequestDelegate)EmbeddingsAsync);
        app.MapPost("/v1/chat/completions", (RequestDelegate)fake.ChatAsync);
        await app.StartAsync();
        fake.BaseAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/v1";
        return fake;
    }

    private static async Task EmbeddingsAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!;
        var inputs = body["input"] is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToList() : [body["input"]!.GetValue<string>()];
        var size = body["dimensions"]?.GetValue<int>() ?? Dimensions;
        var data = new JsonArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            var vector = new float[size];
            foreach (var c in inputs[i].ToLowerInvariant().Where(char.IsAsciiLetterLower))
            {
                vector[(c - 'a') % size]++;
            }
            var norm = MathF.Sqrt(vector.Sum(v => v * v));
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = new JsonArray([.. vector.Select(v => (JsonNode)JsonValue.Create(norm == 0 ? 0 : v / norm))]) });
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = data, ["model"] = "fake-embed", ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["total_tokens"] = 1 } }.ToJsonString());
    }

    private async Task ChatAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        ChatRequests.Enqueue(body);
        var words = Answer.Split(' ');
        var limit = (body["max_completion_tokens"] ?? body["max_tokens"])?.GetValue<int>();
        var finish = limit is { } l && l < words.Length ? "length" : "stop";
        context.Response.ContentType = "text/event-stream";
        foreach (var token in words.Take(limit ?? words.Length).Select((w, i) => i == 0 ? w : " " + w))
        {
            await WriteAsync(context, new JsonObject { ["content"] = token }, null);
        }
        await WriteAsync(context, [], finish);
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static async Task WriteAsync(HttpContext context, JsonObject delta, string? finish)
    {
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-fake", ["object"] = "chat.completion.chunk", ["created"] = 1700000000, ["model"] = "fake-chat",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
        await context.Response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
