using System.Text.RegularExpressions;

namespace Fathom.Deploy.Tests;

/// <summary>Paths in the repository, found from the test binary upwards.</summary>
public static class Repo
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>Every YAML file under k8s/ and keda/.</summary>
    public static IReadOnlyList<string> ManifestFiles() =>
        new[] { "k8s", "keda" }
            .Select(d => PathOf(d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Project directories under functions/ that hold a .csproj (the apps that exist now).</summary>
    public static IReadOnlyList<string> FunctionAppDirs()
    {
        var functions = PathOf("functions");
        if (!Directory.Exists(functions))
        {
            return [];
        }
        return Directory.EnumerateDirectories(functions)
            .Where(d => Directory.EnumerateFiles(d, "*.csproj").Any())
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>C# sources under a directory, without build output.</summary>
    public static IEnumerable<string> CSharpSources(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
                .Where(f => !Regex.IsMatch(f.Replace('\\', '/'), "/(bin|obj)/"))
            : [];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docs", "conventions.md"))
                && File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (docs/conventions.md) not found above " + AppContext.BaseDirectory);
    }
}
