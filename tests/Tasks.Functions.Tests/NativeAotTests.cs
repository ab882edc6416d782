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
        var output = await PublishAsync();
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

            // The plain image leaves Azure sign-in out (the -azure images have it): asked for it, it stops at start and
            // says which image to run, rather than failing on the first connection.
            settings["AzureIdentity__Enabled"] = "true";
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionAppProcess.StartAsync("Tasks (AOT, passwordless)", Path.Combine(output, "Tasks.Functions"), settings));
            Assert.Contains("AzureIdentity__Enabled is true, but this build leaves out Azure sign-in", refused.Message, StringComparison.Ordinal);
            Assert.Contains("scripts/images.sh --azure", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task The_azure_flavour_signs_in_with_the_workload_identity_credential()
    {
        // What k8s/overlays/azure runs: built with Azure sign-in, it asks Entra for a token at start. There is no
        // Azure here, so the workload identity credential has no federated token, and the app says so.
        var output = await PublishAsync("-p:FathomAzureSignIn=true");
        var settings = new Dictionary<string, string>(fixture.Identity.Settings)
        {
            ["PostgresConnection"] = "Host=127.0.0.1;Port=1;Username=fathom-tasks;Database=fathom",
            ["RedisConnection"] = "127.0.0.1:1",
            ["AzureIdentity__Enabled"] = "true",
            ["AzureIdentity__RedisUserName"] = "00000000-0000-0000-0000-000000000000",
            // Only the credential the cluster uses, so that no other one probes this machine (IMDS, developer tools).
            ["AZURE_TOKEN_CREDENTIALS"] = "WorkloadIdentityCredential",
        };
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionAppProcess.StartAsync("Tasks (AOT, -azure)", Path.Combine(output, "Tasks.Functions"), settings));
            Assert.DoesNotContain("leaves out Azure sign-in", error.Message, StringComparison.Ordinal);
            Assert.Contains("WorkloadIdentityCredential", error.Message, StringComparison.Ordinal);
            Assert.Contains("AzureIdentity__Enabled=true", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static async Task<string> PublishAsync(params string[] properties)
    {
        var output = Path.Combine(Path.GetTempPath(), $"fathom-aot-{Guid.NewGuid():N}");
        var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", Path.Combine(RepoPaths.Root, "functions", "Tasks"), "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo", "-v", "q", .. properties])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = await publish.StandardOutput.ReadToEndAsync() + await publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        Assert.True(publish.ExitCode == 0, $"AOT publish failed (trim or AOT warnings are errors here):\n{log}");
        Assert.False(File.Exists(Path.Combine(output, "Tasks.Functions.dll")), "the publish output should be a native executable, not IL");
        return output;
    }
}
