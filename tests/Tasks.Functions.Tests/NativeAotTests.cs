using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fathom.Testing;

namespace Tasks.Functions.Tests;

/// <summary>The Tasks app published with Native AOT (as its container ships) serves real requests.</summary>
public sealed class NativeAotTests(TasksAppFixture fixture) : IClassFixture<TasksAppFixture>
{
    [Fact]
    public async Task The_native_aot_build_serves_authenticated_requests()
    {
        var output = Path.Combine(Path.GetTempPath(), $"fathom-aot-{Guid.NewGuid():N}");
        var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", Path.Combine(RepoPaths.Root, "functions", "Tasks"), "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = await publish.StandardOutput.ReadToEndAsync() + await publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        Assert.True(publish.ExitCode == 0, $"AOT publish failed (trim or AOT warnings are errors here):\n{log}");
        Assert.False(File.Exists(Path.Combine(output, "Tasks.Functions.dll")), "the publish output should be a native executable, not IL");

        var settings = new Dictionary<string, string>(fixture.Identity.Settings)
        {
            ["PostgresConnection"] = fixture.Database.ConnectionString,
            ["RedisConnection"] = TestStack.Redis,
        };
        try
        {
            await using var app = await FunctionAppProcess.StartAsync("Tasks (AOT)", Path.Combine(output, "Tasks.Functions"), settings);
            using var client = new HttpClient { BaseAddress = app.Client.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Identity.Token(fixture.Alice));

            using var created = await client.PostAsJsonAsync("/api/tasks", new { title = "Compiled ahead of time" });
            var list = await client.GetFromJsonAsync<JsonElement>("/api/tasks");
            using var invalid = await client.PostAsJsonAsync("/api/tasks", new { title = "" });

            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Contains(list.GetProperty("items").EnumerateArray(), t => t.GetProperty("title").GetString() == "Compiled ahead of time");
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
