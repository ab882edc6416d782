using System.Xml.Linq;

namespace Fathom.Deploy.Tests;

/// <summary>
/// The host (shared/Fathom.Functions) is the top of the ground floor, not its bottom: the shared libraries stand without
/// it, so a tool, a test or another host can use them (README "Architecture", the layers). Read from the project files, so a
/// ProjectReference added back to the host, directly or through another project, fails here before anyone builds.
/// </summary>
public class LayeringTests
{
    private const string Host = "shared/Fathom.Functions";

    /// <summary>The libraries issue 15 took off the host, and the ones that were moved out of it for them.</summary>
    public static TheoryData<string> LibrariesBelowTheHost() =>
    [
        "shared/Fathom.Connections",
        "shared/Fathom.Redis",
        "shared/Fathom.Http",
        "shared/Fathom.Data",
        "shared/Fathom.Identity",
        "shared/Fathom.RateLimiting",
        "shared/Fathom.Knowledge",
        "shared/Fathom.Knowledge.Stores",
    ];

    [Theory]
    [MemberData(nameof(LibrariesBelowTheHost))]
    public void A_library_does_not_reference_the_host(string project)
    {
        var graph = ProjectGraph();
        Assert.True(graph.ContainsKey(project), $"{project} has no .csproj: update this list if it moved");
        Assert.True(PathTo(graph, project, Host) is null, $"{project} reaches the host: {string.Join(" -> ", PathTo(graph, project, Host) ?? [])}");
    }

    [Fact]
    public void No_shared_project_but_the_host_itself_reaches_it()
    {
        var graph = ProjectGraph();
        Assert.Contains(Host, graph.Keys);
        var offenders = graph.Keys
            .Where(p => p.StartsWith("shared/", StringComparison.Ordinal) && p != Host)
            .Select(p => PathTo(graph, p, Host))
            .OfType<List<string>>()
            .Select(path => string.Join(" -> ", path))
            .ToList();
        Assert.True(offenders.Count == 0, "shared libraries that reference the host:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_host_stands_on_the_libraries_below_it()
    {
        var graph = ProjectGraph();
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "shared/Fathom.Connections", "shared/Fathom.Redis", "shared/Fathom.Http" }, graph[Host]);
    }

    /// <summary>Project directory (repo-relative, e.g. shared/Fathom.Data) to the project directories it references.</summary>
    private static Dictionary<string, HashSet<string>> ProjectGraph()
    {
        var projects = new[] { "shared", "functions", "tools" }
            .Select(d => Repo.PathOf(d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.csproj", SearchOption.AllDirectories))
            .Where(f => !f.Replace('\\', '/').Contains("/obj/", StringComparison.Ordinal));
        return projects.ToDictionary(
            csproj => Repo.Relative(Path.GetDirectoryName(csproj)!),
            csproj => XDocument.Load(csproj).Descendants("ProjectReference")
                .Select(r => (string?)r.Attribute("Include"))
                .OfType<string>()
                .Select(include => Resolve(csproj, include))
                .ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
    }

    private static string Resolve(string csproj, string include)
    {
        var path = include.Replace("$(RepoRoot)", Repo.Root + "/", StringComparison.Ordinal).Replace('\\', '/');
        var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(Path.GetDirectoryName(csproj)!, path));
        return Repo.Relative(Path.GetDirectoryName(full)!);
    }

    /// <summary>A chain of references from <paramref name="from"/> to <paramref name="to"/>, or null when there is none.</summary>
    private static List<string>? PathTo(Dictionary<string, HashSet<string>> graph, string from, string to)
    {
        var cameFrom = new Dictionary<string, string>(StringComparer.Ordinal) { [from] = "" };
        var queue = new Queue<string>([from]);
        while (queue.TryDequeue(out var project))
        {
            if (project == to)
            {
                var path = new List<string>();
                for (var step = to; step.Length > 0; step = cameFrom[step])
                {
                    path.Insert(0, step);
                }
                return path;
            }
            foreach (var next in graph.GetValueOrDefault(project) ?? [])
            {
                if (cameFrom.TryAdd(next, project))
                {
                    queue.Enqueue(next);
                }
            }
        }
        return null;
    }
}
