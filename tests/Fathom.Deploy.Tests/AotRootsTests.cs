using System.Reflection;
using System.Runtime.Loader;
using System.Xml.Linq;

namespace Fathom.Deploy.Tests;

/// <summary>
/// Each app's aot-roots.rd.xml (written by scripts/aot-roots.sh) names generic types that Native AOT compiles ahead. A
/// name that no longer resolves, after a service or options class was renamed or removed, fails that app's AOT publish
/// with ILCompiler's bare "Failed to load type"; this says which file and which name, against the app's own build.
/// </summary>
public class AotRootsTests
{
    public static TheoryData<string> AppsWithRoots() => [.. RootedApps()];

    [Fact]
    public void Every_function_app_has_its_roots()
    {
        Assert.Equal(Repo.FunctionAppDirs(), RootedApps());
    }

    private static IEnumerable<string> RootedApps() =>
        Repo.FunctionAppDirs().Where(app => File.Exists(Repo.PathOf("functions", app, "aot-roots.rd.xml")));

    [Theory]
    [MemberData(nameof(AppsWithRoots))]
    public void Every_root_names_a_type_the_app_has(string app)
    {
        var build = Repo.PathOf("functions", app, "bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(build, $"{app}.Functions.dll")), $"{app} is not built (dotnet build Functions.sln)");
        var context = new AppBuild(build);
        try
        {
            var roots = XDocument.Load(Repo.PathOf("functions", app, "aot-roots.rd.xml")).Descendants("Type")
                .Select(type => (Assembly: (string)type.Parent!.Attribute("Name")!, Name: (string)type.Attribute("Name")!))
                .ToList();
            Assert.NotEmpty(roots);
            var missing = roots
                .Where(root => Type.GetType($"{root.Name}, {root.Assembly}", context.LoadFromAssemblyName, null, throwOnError: false) is null)
                .Select(root => $"{root.Assembly}: {root.Name}")
                .ToList();
            Assert.True(missing.Count == 0,
                $"functions/{app}/aot-roots.rd.xml names types the app no longer has; run scripts/aot-roots.sh {app}:\n" + string.Join("\n", missing));
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>The app's assemblies from its build output; the shared framework from the test's own.</summary>
    private sealed class AppBuild(string directory) : AssemblyLoadContext(isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            var path = Path.Combine(directory, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
