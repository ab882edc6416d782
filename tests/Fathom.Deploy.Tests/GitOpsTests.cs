using System.Diagnostics;

namespace Fathom.Deploy.Tests;

/// <summary>
/// scripts/deploy.sh --gitops: the release is a commit that changes the overlay's image tags and nothing else (Argo CD
/// applies what main holds). Run in a scratch repository holding a copy of the script and the manifests (kubectl, where
/// installed, renders the bumped overlay before the commit).
/// </summary>
public sealed class GitOpsTests : IDisposable
{
    private const string Overlay = "k8s/overlays/staging/kustomization.yaml";
    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-gitops").FullName;

    public GitOpsTests()
    {
        foreach (var file in new[] { "scripts/deploy.sh" }.Concat(Repo.ManifestFiles().Select(Repo.Relative)))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_dir, file))!);
            File.Copy(Repo.PathOf(file.Split('/')), Path.Combine(_dir, file));
        }
        Run("git", "init", "-q");
        Run("git", "config", "user.email", "ci@example.test");
        Run("git", "config", "user.name", "CI");
        Run("git", "add", ".");
        Run("git", "commit", "-q", "-m", "start");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Run(string file, params string[] args)
    {
        var (code, output) = Try(file, args);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited {code}: {output}");
        return output;
    }

    private (int Code, string Output) Try(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true };
        // No cluster is reachable from here: the GitOps step must not need one.
        psi.Environment["KUBECONFIG"] = "/nonexistent";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), $"{file} did not finish in 60 s");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private string[] Tags() => [.. File.ReadAllLines(Path.Combine(_dir, Overlay)).Where(l => l.TrimStart().StartsWith("newTag:", StringComparison.Ordinal)).Select(l => l.Trim())];

    [Fact]
    public void Dry_run_shows_the_change_and_leaves_the_tree_and_history_as_they_were()
    {
        var before = File.ReadAllText(Path.Combine(_dir, Overlay));
        var head = Run("git", "rev-parse", "HEAD");

        var output = Run("bash", "scripts/deploy.sh", "staging", "1.4.2", "--gitops", "--dry-run");

        Assert.Contains("+    newTag: \"1.4.2\"", output, StringComparison.Ordinal);
        Assert.Contains("deploy: staging to 1.4.2", output, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(Path.Combine(_dir, Overlay)));
        Assert.Equal(head, Run("git", "rev-parse", "HEAD"));
    }

    [Fact]
    public void A_real_run_commits_only_the_overlays_image_tags()
    {
        var before = File.ReadAllLines(Path.Combine(_dir, Overlay));

        Run("bash", "scripts/deploy.sh", "staging", "1.4.2", "--gitops");

        Assert.Equal("deploy: staging to 1.4.2", Run("git", "log", "-1", "--format=%s").Trim());
        Assert.Equal(Overlay, Run("git", "show", "--name-only", "--format=", "HEAD").Trim());
        Assert.Equal("", Run("git", "status", "--porcelain").Trim());
        var after = File.ReadAllLines(Path.Combine(_dir, Overlay));
        Assert.Equal(10, Tags().Length); // nine apps and the CLI
        Assert.All(Tags(), t => Assert.Equal("newTag: \"1.4.2\"", t));
        // Every other line stays as it was.
        Assert.Equal(before.Where(l => !l.Contains("newTag:", StringComparison.Ordinal)), after.Where(l => !l.Contains("newTag:", StringComparison.Ordinal)));

        var again = Run("bash", "scripts/deploy.sh", "staging", "1.4.2", "--gitops");
        Assert.Contains("already runs 1.4.2", again, StringComparison.Ordinal);
        Assert.Equal("deploy: staging to 1.4.2", Run("git", "log", "-1", "--format=%s").Trim());
    }

    [Theory]
    [InlineData("staging", "--gitops")]
    [InlineData("staging", "bad tag!", "--gitops")]
    [InlineData("staging", "1.4.2", "--dry-run")]
    public void Refuses_what_it_cannot_do_without_changing_anything(params string[] args)
    {
        var (code, output) = Try("bash", ["scripts/deploy.sh", .. args]);

        Assert.NotEqual(0, code);
        Assert.Contains("error:", output, StringComparison.Ordinal);
        Assert.Equal("", Run("git", "status", "--porcelain").Trim());
        Assert.Equal("start", Run("git", "log", "-1", "--format=%s").Trim());
    }
}
