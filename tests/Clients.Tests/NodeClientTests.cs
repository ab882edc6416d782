using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Fathom.Testing;
using Xunit.Abstractions;

namespace Clients.Tests;

/// <summary>
/// The TypeScript clients (tests/clients: the openai and @modelcontextprotocol/sdk npm packages at the versions
/// package-lock.json pins) run by node's own test runner against this fixture's apps. One xunit test, so that
/// <c>dotnet test</c> (and <c>./fathom test</c>) runs them; node's report is printed on failure.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class NodeClientTests(ClientsFixture fixture, ITestOutputHelper output)
{
    private static readonly string Suite = Path.Combine(RepoPaths.Root, "tests", "clients");

    [Fact]
    public async Task The_openai_and_mcp_typescript_sdks_pass_their_suite()
    {
        await InstallAsync();
        var env = new Dictionary<string, string>
        {
            ["FATHOM_URL"] = fixture.Knowledge.Client.BaseAddress!.ToString().TrimEnd('/'),
            ["FATHOM_ASSISTANTS_URL"] = fixture.Assistants.Client.BaseAddress!.ToString().TrimEnd('/'),
            ["FATHOM_API_KEY"] = fixture.ApiKey,
            ["FATHOM_ISSUER"] = ClientsFixture.Issuer,
            ["FATHOM_RATE_LIMITED_MODEL"] = ClientsFixture.NodeRateLimitedModel,
        };

        var (exit, report) = await RunAsync("node", ["--test", "--test-reporter=spec", "--test-concurrency=2"], env, TimeSpan.FromMinutes(5));

        output.WriteLine(report);
        Assert.True(exit == 0, $"node --test exited with {exit}:\n{report}\n\nIngestion's log:\n{Tail(fixture.Ingestion.Output)}\n\nKnowledge's log:\n{Tail(fixture.Knowledge.Output)}\n\nAssistants' log:\n{Tail(fixture.Assistants.Output)}");
        Assert.Matches(@"(?m)^ℹ fail 0$", report);
        Assert.Matches(@"(?m)^ℹ skipped 0$", report);
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(60));

    /// <summary>
    /// <c>npm ci</c> when node_modules does not match package-lock.json (a stamp of the lock's hash says it does):
    /// the first run installs from the registry or npm's cache, later runs reuse the install.
    /// </summary>
    private static async Task InstallAsync()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(Suite, "package-lock.json"))));
        var stamp = Path.Combine(Suite, "node_modules", ".fathom-lock-sha256");
        if (File.Exists(stamp) && await File.ReadAllTextAsync(stamp) == hash)
        {
            return;
        }
        var (exit, report) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], new Dictionary<string, string>(), TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"npm ci failed ({exit}):\n{report}");
        await File.WriteAllTextAsync(stamp, hash);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, string[] arguments, Dictionary<string, string> env, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = Suite, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }
        info.Environment["NO_COLOR"] = "1";
        var text = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (text) { text.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (text) { text.AppendLine(e.Data); } } };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{program}' could not be started ({ex.Message}): the client tests need Node.js 20 or later with npm on PATH.", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (text)
            {
                return (-1, $"{text}\n{program} timed out after {timeout}.");
            }
        }
        lock (text)
        {
            return (process.ExitCode, text.ToString());
        }
    }
}
