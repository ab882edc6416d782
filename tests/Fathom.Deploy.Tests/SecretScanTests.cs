using System.Diagnostics;

namespace Fathom.Deploy.Tests;

/// <summary>scripts/check.sh secrets: what ./fathom test runs so that no credential is committed.</summary>
public class SecretScanTests
{
    private static (int ExitCode, string Output) Scan(string dir)
    {
        var psi = new ProcessStartInfo("bash", [Repo.PathOf("scripts", "check.sh"), "secrets", dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the scan did not finish in 60 s");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static void Git(string dir, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("git", ["-C", dir, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {process.StandardError.ReadToEnd()}");
    }

    [Fact]
    public void The_repository_has_no_committed_secret()
    {
        var (code, output) = Scan(Repo.Root);
        Assert.True(code == 0, output);
    }

    [Theory]
    [InlineData("appsettings.json", """{ "OpenAI": { "ApiKey": "sk-proj-a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" } }""")] // secret-scan: fake, planted on purpose
    [InlineData("deploy/key.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----")] // secret-scan: fake, planted on purpose
    [InlineData("conn.txt", "Host=db.example.com;Username=fathom;Password=hunter2hunter2")] // secret-scan: fake, planted on purpose
    [InlineData("notes.md", "aws: AKIAIOSFODNN7EXAMPLE")] // secret-scan: fake, planted on purpose
    [InlineData("key.txt", "fth_0a1b2c3d_Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4")] // secret-scan: fake, planted on purpose
    public void A_committed_secret_fails_the_scan_and_is_named(string file, string content)
    {
        var dir = Directory.CreateTempSubdirectory("fathom-secret-scan").FullName;
        try
        {
            Git(dir, "init", "-q");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, file))!);
            File.WriteAllText(Path.Combine(dir, file), content);
            File.WriteAllText(Path.Combine(dir, "fixture.txt"), "Password=examplepassword # secret-scan: fake, a documented placeholder");
            Git(dir, "add", ".");

            var (code, output) = Scan(dir);

            Assert.True(code == 1, output);
            Assert.Contains(file, output, StringComparison.Ordinal);
            Assert.DoesNotContain("fixture.txt", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
