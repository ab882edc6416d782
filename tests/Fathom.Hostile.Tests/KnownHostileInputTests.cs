using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Fathom.Hostile.Tests;

/// <summary>The cases issue 14 named, each with the answer it must get (the fuzzer only asks for "no 5xx, a problem").</summary>
[Collection(HostileCollection.Name)]
public sealed class KnownHostileInputTests(HostileApps apps) : IAsyncLifetime
{
    private static readonly string Huge = new('q', 100_000);
    private Resources _alice = null!;
    private HttpClient _knowledge = null!;
    private HttpClient _assistants = null!;

    public async Task InitializeAsync()
    {
        _alice = await apps.SeedAsync("known");
        _knowledge = AliceClient("Knowledge");
        _assistants = AliceClient("Assistants");
    }

    private HttpClient AliceClient(string app)
    {
        var client = HostileApps.NewClient();
        client.BaseAddress = apps.BaseAddress(app);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apps.Token(_alice.User));
        return client;
    }

    public Task DisposeAsync()
    {
        _knowledge.Dispose();
        _assistants.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Posts to the app that serves <paramref name="path"/>, as the gateway would: /api/v1 and /api/mcp are Assistants'.</summary>
    private async Task<(HttpStatusCode Status, string MediaType, JsonElement Body)> PostAsync(string path, string json)
    {
        var client = path.StartsWith("/api/v1/", StringComparison.Ordinal) ? _assistants : _knowledge;
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task A_null_chat_message_is_a_400_in_OpenAIs_shape()
    {
        var (status, media, body) = await PostAsync("/api/v1/chat/completions", Json(new { model = _alice.CollectionName, messages = new object?[] { null } }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", media);
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("messages[0]", body.GetProperty("error").GetProperty("param").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("question")]
    [InlineData("earlier message")]
    public async Task A_100k_character_chat_message_is_refused_naming_the_limit(string which)
    {
        object[] messages = which == "question"
            ? [new { role = "user", content = Huge }]
            : [new { role = "user", content = Huge }, new { role = "assistant", content = "ok" }, new { role = "user", content = "And then?" }];
        var clock = Stopwatch.StartNew();
        var (status, _, body) = await PostAsync("/api/v1/chat/completions", Json(new { model = _alice.CollectionName, messages }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("60,000", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_100k_character_question_or_query_is_refused_naming_the_limit()
    {
        foreach (var (path, json) in new[]
        {
            ($"/api/collections/{_alice.Collection}/ask", Json(new { question = Huge })),
            ($"/api/collections/{_alice.Collection}/search", Json(new { query = Huge })),
            ("/api/search", Json(new { collectionIds = new[] { _alice.Collection }, query = Huge })),
        })
        {
            var (status, media, body) = await PostAsync(path, json);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("application/problem+json", media);
            Assert.Contains("2000 characters", body.GetProperty("errors").EnumerateObject().First().Value[0].GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_100k_character_MCP_query_is_a_tool_error_naming_the_limit()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/mcp")
        {
            Content = new StringContent(Json(new { jsonrpc = "2.0", id = 1, method = "tools/call", @params = new { name = "search", arguments = new { collection = _alice.CollectionName, query = Huge } } }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await _assistants.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"isError\":true", text, StringComparison.Ordinal);
        Assert.Contains("1 to 2000 characters", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Long_runs_without_spaces_are_tokenized_in_linear_time()
    {
        // One pre-token of 100,000 symbols used to take minutes of byte-pair merging (quadratic in its length).
        var clock = Stopwatch.StartNew();
        var (status, _, body) = await PostAsync("/api/v1/embeddings", Json(new { model = "fathom-hashed-v1", input = new string('€', 100_000) }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("8192", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Multipart_without_its_closing_boundary_is_a_400()
    {
        var content = new ByteArrayContent(HostileCases.MultipartBody("x", "a.txt", "some text"u8.ToArray(), close: false));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=x");
        using var response = await _knowledge.PostAsync($"/api/collections/{_alice.Collection}/documents", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json; charset=klingon")]
    [InlineData(null)]
    public async Task An_MCP_call_that_is_not_UTF8_JSON_is_a_415_not_a_500(string? type)
    {
        var content = new ByteArrayContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}"""u8.ToArray());
        if (type is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/mcp") { Content = content };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await _assistants.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_search_body_declared_in_another_charset_is_a_415_not_misread()
    {
        // "café" in Latin-1: read as UTF-8 it would be a replacement character, searched for silently.
        var content = new ByteArrayContent(Encoding.Latin1.GetBytes(Json(new { query = "café" })));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=iso-8859-1");
        using var response = await _knowledge.PostAsync($"/api/collections/{_alice.Collection}/search", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("UTF-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_of_many_bad_items_gets_a_bounded_answer()
    {
        var messages = Enumerable.Repeat<object?>(null, 50_000).ToArray();
        using var response = await _assistants.PostAsync("/api/v1/chat/completions", new StringContent(Json(new { model = _alice.CollectionName, messages }), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(text.Length < 32 * 1024, $"{text.Length} characters of errors for one request");
        Assert.Contains("more problems are not listed", text, StringComparison.Ordinal);
    }
}
