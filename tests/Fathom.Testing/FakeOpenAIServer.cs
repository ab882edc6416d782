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

namespace Fathom.Testing;

/// <summary>One request the fake provider was sent.</summary>
public sealed record ProviderRequest(string Path, string Authorization, JsonObject Body);

/// <summary>
/// A real local HTTP server speaking the OpenAI API, standing in for the external embedding and chat models
/// (the one external provider tests may replace). It records every request, so a test sees what reached the model.
/// Embeddings count the letters a–z into as many buckets as the vector has (<c>dimensions</c> from the request,
/// 8 otherwise, or the fixed size it was started with), normalised, so texts sharing letters are close. Chat
/// answers <see cref="Answer"/>, streamed as server-sent events when asked, cut to <c>max_completion_tokens</c>
/// words with <c>finish_reason: "length"</c>.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    public const string Answer = "A keel keeps the boat upright [1].";
    public const int DefaultDimensions = 8;

    private readonly WebApplication _app;
    private readonly int? _fixedDimensions;
    private readonly ConcurrentQueue<ProviderRequest> _requests = new();
    private readonly ConcurrentQueue<(int Status, string? RetryAfter, string Message)> _failures = new();
    private int _cutNextStream;

    private FakeOpenAIServer(WebApplication app, int? fixedDimensions)
    {
        _app = app;
        _fixedDimensions = fixedDimensions;
    }

    /// <summary>The provider's root (<c>http://127.0.0.1:port</c>), without <c>/v1</c>.</summary>
    public Uri Root { get; private set; } = null!;

    /// <summary>The endpoint a client is configured with: <see cref="Root"/> plus <c>/v1</c>.</summary>
    public string BaseAddress => new Uri(Root, "/v1").ToString();

    public IReadOnlyList<ProviderRequest> Requests => [.. _requests];

    public IReadOnlyList<JsonObject> ChatRequests => [.. _requests.Where(r => r.Path == "/v1/chat/completions").Select(r => r.Body)];

    public int EmbeddingCalls => _requests.Count(r => r.Path == "/v1/embeddings");

    /// <summary>Starts on a free loopback port; with <paramref name="fixedDimensions"/> every vector has that size whatever was asked.</summary>
    public static async Task<FakeOpenAIServer> StartAsync(int? fixedDimensions = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeOpenAIServer(app, fixedDimensions);
        app.MapPost("/v1/embeddings", (RequestDelegate)server.EmbeddingsAsync);
        app.MapPost("/v1/chat/completions", (RequestDelegate)server.ChatAsync);
        await app.StartAsync();
        server.Root = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return server;
    }

    /// <summary>
    /// The next <paramref name="times"/> requests (recorded, whatever their path) fail with <paramref name="status"/> and
    /// an OpenAI error body carrying <paramref name="message"/>, with a Retry-After header when one is given.
    /// </summary>
    public void FailNext(int status, int times = 1, string? retryAfter = null, string message = "The fake model server refused.")
    {
        for (var i = 0; i < times; i++)
        {
            _failures.Enqueue((status, retryAfter, message));
        }
    }

    /// <summary>The next streamed answer stops after its first token, with no finish reason and no [DONE], as a crashing server's would.</summary>
    public void CutNextStream() => Interlocked.Exchange(ref _cutNextStream, 1);

    /// <summary>Forgets the requests so far.</summary>
    public void Clear() => _requests.Clear();

    public static float[] VectorFor(string input, int dimensions)
    {
        var vector = new float[dimensions];
        foreach (var c in input.ToLowerInvariant().Where(char.IsAsciiLetterLower))
        {
            vector[(c - 'a') % dimensions]++;
        }
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return norm == 0 ? vector : [.. vector.Select(v => v / norm)];
    }

    private async Task EmbeddingsAsync(HttpContext context)
    {
        var body = await RecordAsync(context);
        if (await FailedAsync(context))
        {
            return;
        }
        var inputs = body["input"] is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToList() : [body["input"]!.GetValue<string>()];
        var size = _fixedDimensions ?? body["dimensions"]?.GetValue<int>() ?? DefaultDimensions;
        var base64 = body["encoding_format"]?.GetValue<string>() == "base64";
        var data = new JsonArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            var vector = VectorFor(inputs[i], size);
            JsonNode embedding = base64
                ? JsonValue.Create(Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan())))
                : new JsonArray([.. vector.Select(v => (JsonNode)JsonValue.Create(v))]);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["model"] = body["model"]?.GetValue<string>() ?? "fake-embed",
            ["usage"] = new JsonObject { ["prompt_tokens"] = inputs.Count, ["total_tokens"] = inputs.Count },
        }.ToJsonString());
    }

    private async Task ChatAsync(HttpContext context)
    {
        var body = await RecordAsync(context);
        if (await FailedAsync(context))
        {
            return;
        }
        var words = Answer.Split(' ');
        var limit = (body["max_completion_tokens"] ?? body["max_tokens"])?.GetValue<int>();
        var finish = limit is { } l && l < words.Length ? "length" : "stop";
        var tokens = words.Take(limit ?? words.Length).Select((w, i) => i == 0 ? w : " " + w).ToList();
        var model = body["model"]?.GetValue<string>() ?? "fake-chat";
        if (body["stream"]?.GetValue<bool>() != true)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject
            {
                ["id"] = "chatcmpl-fake", ["object"] = "chat.completion", ["created"] = 1700000000, ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Concat(tokens) }, ["finish_reason"] = finish,
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 5, ["completion_tokens"] = tokens.Count, ["total_tokens"] = 5 + tokens.Count },
            }.ToJsonString());
            return;
        }
        context.Response.ContentType = "text/event-stream";
        if (Interlocked.Exchange(ref _cutNextStream, 0) == 1)
        {
            await WriteChunkAsync(context, model, new JsonObject { ["content"] = tokens[0] }, null);
            return;
        }
        foreach (var token in tokens)
        {
            await WriteChunkAsync(context, model, new JsonObject { ["content"] = token }, null);
        }
        await WriteChunkAsync(context, model, [], finish);
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static async Task WriteChunkAsync(HttpContext context, string model, JsonObject delta, string? finish)
    {
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-fake", ["object"] = "chat.completion.chunk", ["created"] = 1700000000, ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
        await context.Response.Body.FlushAsync();
    }

    private async Task<JsonObject> RecordAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        _requests.Enqueue(new ProviderRequest(context.Request.Path, context.Request.Headers.Authorization.ToString(), body));
        return body;
    }

    private async Task<bool> FailedAsync(HttpContext context)
    {
        if (!_failures.TryDequeue(out var failure))
        {
            return false;
        }
        context.Response.StatusCode = failure.Status;
        if (failure.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["error"] = new JsonObject { ["message"] = failure.Message, ["type"] = "fake_error" } }.ToJsonString());
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
