using System.Diagnostics;

namespace Fathom.Deploy.Tests;

/// <summary>The deploy scripts parse, stop cleanly without a cluster, and the Dockerfile keeps its contract.</summary>
public class ScriptTests
{
    private static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // no TTY
            WorkingDirectory = Repo.Root,
        };
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 120 s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Theory]
    [InlineData("deploy.sh")]
    [InlineData("images.sh")]
    [InlineData("make-secrets.sh")]
    public void Script_passes_bash_syntax_check(string script)
    {
        var (code, output) = Run("bash", ["-n", Repo.PathOf("scripts", script)]);
        Assert.True(code == 0, output);
        Assert.StartsWith("#!/usr/bin/env bash", File.ReadAllText(Repo.PathOf("scripts", script)), StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_refuses_unknown_environments()
    {
        var (code, output) = Run("bash", [Repo.PathOf("scripts", "deploy.sh"), "qa"]);
        Assert.Equal(2, code);
        Assert.Contains("usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_stops_with_a_clear_message_without_a_cluster()
    {
        // A kubeconfig whose only cluster is a closed local port: never a real cluster, whatever this machine has.
        var dir = Directory.CreateTempSubdirectory("fathom-deploy-test");
        try
        {
            var kubeconfig = Path.Combine(dir.FullName, "config");
            File.WriteAllText(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: nowhere
                    cluster: {server: "https://127.0.0.1:1"}
                contexts:
                  - name: nowhere
                    context: {cluster: nowhere, user: nobody}
                users:
                  - name: nobody
                    user: {}
                current-context: nowhere
                """);
            var (code, output) = Run("bash", [Repo.PathOf("scripts", "deploy.sh"), "production", "v0.0.1"], new Dictionary<string, string>
            {
                ["KUBECONFIG"] = kubeconfig,
                ["FATHOM_KUBECTL_TIMEOUT"] = "3s",
            });
            Assert.Equal(1, code);
            Assert.Contains("nothing was changed", output, StringComparison.Ordinal);
            Assert.True(
                output.Contains("no reachable Kubernetes cluster", StringComparison.Ordinal) || output.Contains("kubectl is not installed", StringComparison.Ordinal),
                output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Dockerfile_builds_aot_onto_chiseled_runtime_deps_as_the_app_user()
    {
        var lines = File.ReadAllLines(Repo.PathOf("functions", "Dockerfile")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains("ARG APP=Tasks", lines);
        Assert.Contains("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", lines);
        Assert.Contains(lines, l => l.Contains("dotnet publish \"functions/${APP}\" -c Release -r linux-x64", StringComparison.Ordinal));
        // Native AOT comes from functions/Directory.Build.props (a global -p:PublishAot=true would
        // also reach the netstandard2.0 source generator and fail with NETSDK1207).
        Assert.DoesNotContain(lines, l => l.Contains("-p:PublishAot=true", StringComparison.Ordinal));
        Assert.Contains("<PublishAot>true</PublishAot>", File.ReadAllText(Repo.PathOf("functions", "Directory.Build.props")), StringComparison.Ordinal);
        var final = lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.Equal("FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled", lines[final]);
        var stage = lines[final..];
        Assert.Contains("USER 1654", stage);
        Assert.Contains("EXPOSE 8080", stage);
        Assert.Contains(stage, l => l.Contains("ASPNETCORE_HTTP_PORTS=8080", StringComparison.Ordinal));
        Assert.Contains(stage, l => l.StartsWith("ENTRYPOINT [", StringComparison.Ordinal));
    }
}
