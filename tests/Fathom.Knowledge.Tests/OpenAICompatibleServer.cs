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

namespace Fathom.Knowledge.Tests;

/// <summary>
/// A real HTTP server on 127.0.0.1 (random free port) speaking the OpenAI embeddings and chat
/// completions wire format, so the OpenAI client is exercised end to end without mocks.
/// Embeddings are derived from the input text: [length, vowel count, index, 1, 0, …].
/// </summary>
internal sealed class OpenAICompatibleServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OpenAICompatibleServer(WebApplication app, int dimension)
    {
        _app = app;
        Dimension = dimension;
    }

    public int Dimension { get; set; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<OpenAICompatibleServer> StartAsync(int dimension)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new OpenAICompatibleServer(app, dimension);
        app.MapPost("/v1/embeddings", (RequestDelegate)server.EmbeddingsAsync);
        app.MapPost("/v1/chat/completions", (RequestDelegate)server.ChatAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public static float[] VectorFor(string input, int index, int dimension)
    {
        var vector = new float[dimension];
        float[] values = [input.Length, input.Count(c => "aeiou".Contains(c, StringComparison.Ordinal)), index, 1];
        values.AsSpan(0, Math.Min(values.Length, dimension)).CopyTo(vector);
        return vector;
    }

    private async Task EmbeddingsAsync(HttpContext context)
    {
        var body = await Record(context);
        var inputs = body["input"] switch
        {
            JsonArray array => array.Select(n => n!.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        var base64 = body["encoding_format"]?.GetValue<string>() == "base64";
        var data = new JsonArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            var vector = VectorFor(inputs[i], i, Dimension);
            JsonNode embedding = base64
                ? JsonValue.Create(Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan())))
                : new JsonArray([.. vector.Select(v => (JsonNode)JsonValue.Create(v))]);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }

        var response = new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = body["model"]?.GetValue<string>(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = inputs.Count, ["total_tokens"] = inputs.Count },
        };
        await WriteJson(context, response);
    }

    private async Task ChatAsync(HttpContext context)
    {
        var body = await Record(context);
        var lastUser = body["messages"]!.AsArray().Last(m => m!["role"]!.GetValue<string>() == "user")!["content"];
        var question = lastUser is JsonValue text ? text.GetValue<string>() : lastUser!.AsArray().Last()!["text"]!.GetValue<string>();
        var response = new JsonObject
        {
            ["id"] = "chatcmpl-1",
            ["object"] = "chat.completion",
            ["created"] = 1700000000,
            ["model"] = body["model"]?.GetValue<string>(),
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = $"You asked: {question}" },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 5, ["completion_tokens"] = 3, ["total_tokens"] = 8 },
        };
        await WriteJson(context, response);
    }

    private async Task<JsonObject> Record(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        Requests.Enqueue(new RecordedRequest(context.Request.Path, context.Request.Headers.Authorization.ToString(), body.ToJsonString()));
        return body;
    }

    private static async Task WriteJson(HttpContext context, JsonNode response)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString(new JsonSerializerOptions()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record RecordedRequest(string Path, string Authorization, string Body);
