namespace Fathom.Testing;

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the tests were built in, so the apps they start are the same build.</summary>
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static string AppAssembly(string app)
        => Path.Combine(Root, "functions", app, "bin", Configuration, "net10.0", $"{app}.Functions.dll");

    public static string ToolAssembly(string project, string assembly)
        => Path.Combine(Root, "tools", project, "bin", Configuration, "net10.0", $"{assembly}.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Functions.sln not found above the test binaries.");
    }
}
