using System.Text.Json;
using System.Net;
using System.Net.Http.Json;

namespace Fathom.Functions.Tests;

public sealed class HostTests
{
    [Fact]
    public async Task A_timer_fires_once_per_occurrence_across_two_processes()
    {
        var worker = new Worker();
        var db = await Worker.RedisAsync();
        await using var first = await worker.StartAsync();
        await using var second = await worker.StartAsync();

        await Task.Delay(TimeSpan.FromSeconds(4));
        var ticks = (await db.ListRangeAsync($"{worker.HostId}:ticks")).Select(v => (long)v).ToList();

        Assert.True(ticks.Count >= 3, $"expected at least 3 runs in 4 s, saw {ticks.Count}");
        Assert.Equal(ticks.Count, ticks.Distinct().Count());

        // Each process counts the runs it won; together at least those seen (the timer keeps ticking meanwhile).
        var counted = await Worker.InvocationsAsync(first, "Tick", "success") + await Worker.InvocationsAsync(second, "Tick", "success");
        Assert.True(counted >= ticks.Count, $"/metrics counted {counted} timer runs, the function saw {ticks.Count}");

        // When each timer last ran and is next due, for the missed-timer alert: the next run is in the future.
        var next = await Worker.GaugeAsync(first, "fathom_timer_next_run_timestamp_seconds", "function=\"Tick\"") ?? await Worker.GaugeAsync(second, "fathom_timer_next_run_timestamp_seconds", "function=\"Tick\"");
        Assert.NotNull(next);
        Assert.InRange(next!.Value, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
    }

    [Fact]
    public async Task The_functions_setting_limits_a_process_to_the_named_function()
    {
        var worker = new Worker();
        var db = await Worker.RedisAsync();
        await using var app = await worker.StartAsync(("AzureFunctionsJobHost__functions__0", "Ping"));
        await app.WaitForOutputAsync("Ping:", TimeSpan.FromSeconds(10));

        await db.StreamAddAsync(worker.Stream, [new("job", "ignored"), new("mode", "ok")]);
        var pong = await app.Client.GetFromJsonAsync<string>("/api/ping");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.Equal("pong", pong);
        Assert.DoesNotContain("Work:", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Tick:", app.Output, StringComparison.Ordinal);
        Assert.False(await db.SetContainsAsync($"{worker.Stream}:started", "ignored"));
        Assert.Equal(0, await db.ListLengthAsync($"{worker.HostId}:ticks"));
    }

    [Fact]
    public async Task Start_up_prints_the_function_table_with_urls_streams_and_schedules()
    {
        var worker = new Worker();
        await using var app = await worker.StartAsync();
        await app.WaitForOutputAsync("Functions (", TimeSpan.FromSeconds(10));

        Assert.Contains($"Ping: [GET] http://127.0.0.1:{app.Port}/api/ping (Anonymous)", app.Output, StringComparison.Ordinal);
        Assert.Contains($"Work: redisStreamTrigger '{worker.Stream}' group 'workers'", app.Output, StringComparison.Ordinal);
        Assert.Contains("Tick: timerTrigger '*/1 * * * * *'", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_starts_without_creating_a_data_protection_key_ring_in_its_home()
    {
        // ASP.NET Core's authentication brings data protection, which at start creates a key file under
        // ~/.aspnet (and warns in a container that it will not persist): start-up time and a write nobody needs.
        var home = Directory.CreateTempSubdirectory("fathom-home-");
        try
        {
            await using (var app = await new Worker().StartAsync(("HOME", home.FullName)))
            {
                await app.WaitForOutputAsync("Functions (", TimeSpan.FromSeconds(10));
                Assert.Equal(System.Net.HttpStatusCode.OK, (await app.Client.GetAsync("/api/ping")).StatusCode);
                Assert.DoesNotContain("DataProtection", app.Output, StringComparison.Ordinal);
            }

            Assert.False(Directory.Exists(Path.Combine(home.FullName, ".aspnet")), $"the app wrote {string.Join(", ", Directory.EnumerateFileSystemEntries(home.FullName, "*", SearchOption.AllDirectories))}");
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Function_level_functions_need_the_host_key()
    {
        var worker = new Worker();
        await using var app = await worker.StartAsync();

        using var without = await app.Client.GetAsync("/api/internal/secret");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/internal/secret") { Headers = { { "x-functions-key", "nope" } } };
        using var wrongResponse = await app.Client.SendAsync(wrong);
        using var right = new HttpRequestMessage(HttpMethod.Get, "/api/internal/secret") { Headers = { { "x-functions-key", "test-host-key" } } };
        using var rightResponse = await app.Client.SendAsync(right);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal("application/problem+json", without.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rightResponse.StatusCode);
    }

    [Fact]
    public async Task Unknown_routes_answer_problem_details_with_a_request_id()
    {
        var worker = new Worker();
        await using var app = await worker.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/nothing-here") { Headers = { { "X-Request-Id", "req-123" } } };

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("req-123", response.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task A_client_that_accepts_no_json_still_gets_the_problem_not_an_empty_500()
    {
        var worker = new Worker();
        await using var app = await worker.StartAsync();
        // As an MCP or SSE client asks.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/nothing-here") { Headers = { { "Accept", "text/event-stream" }, { "X-Request-Id", "req-sse" } } };

        using var response = await app.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":404", body, StringComparison.Ordinal);
        Assert.Contains("\"requestId\":\"req-sse\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_fails_when_a_store_is_unreachable_and_liveness_does_not()
    {
        var worker = new Worker();
        await using var app = await worker.StartAsync(("RedisConnection", "127.0.0.1:1,connectTimeout=200"), ("AzureFunctionsJobHost__functions__0", "Ping"));

        using var live = await app.Client.GetAsync("/health/live");
        using var ready = await app.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task Text_the_database_cannot_store_is_refused_with_the_field_named()
    {
        var worker = new Worker();
        await using var app = await worker.StartAsync(("AzureFunctionsJobHost__functions__0", "Echo"));

        async Task<(HttpStatusCode Status, string? Detail)> PostAsync(byte[] body)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await app.Client.PostAsync("/api/echo", content);
            var problem = response.StatusCode == HttpStatusCode.OK ? default : await response.Content.ReadFromJsonAsync<JsonElement>();
            return (response.StatusCode, problem.ValueKind == JsonValueKind.Object ? problem.GetProperty("detail").GetString() : null);
        }

        var fine = await PostAsync("""{"title":"ok","lines":[{"text":"a"},{"text":"b"}]}"""u8.ToArray());
        var nulTitle = await PostAsync("""{"title":"a\u0000b","lines":[]}"""u8.ToArray());
        var nulDeep = await PostAsync("""{"title":"ok","lines":[{"text":"a"},{"text":"b\u0000"}]}"""u8.ToArray());
        var badUtf8 = await PostAsync([.. "{\"title\":\""u8, 0xC3, 0x28, .. "\",\"lines\":[]}"u8]);
        using var query = await app.Client.PostAsync("/api/echo?q=%00", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        var tooDeep = await PostAsync(System.Text.Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)));

        Assert.Equal(HttpStatusCode.OK, fine.Status);
        Assert.Equal((HttpStatusCode.BadRequest, "'title' contains the NUL character (\\u0000), which cannot be stored."), nulTitle);
        Assert.Equal(HttpStatusCode.BadRequest, nulDeep.Status);
        Assert.StartsWith("'lines[1].text' contains the NUL character", nulDeep.Detail, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "'title' is not valid UTF-8."), badUtf8);
        Assert.Equal(HttpStatusCode.BadRequest, query.StatusCode);
        Assert.Contains("query parameter 'q'", (await query.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooDeep.Status);
    }
}
