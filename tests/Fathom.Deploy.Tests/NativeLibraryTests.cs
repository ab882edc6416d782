namespace Fathom.Deploy.Tests;

/// <summary>
/// An app carries only the native libraries it calls. The ONNX runtime (29 MB, for the onnx embedder) belongs to the apps
/// that make vectors: Knowledge (queries), Assistants (queries and /api/v1/embeddings) and Ingestion (chunks). Every
/// other app would ship it in its image, and a node pulling that image to scale the app from zero would pay for it.
/// Read from each app's deps.json, which decides what its build and publish output carry.
/// </summary>
public class NativeLibraryTests
{
    private static readonly HashSet<string> Embedders = ["Knowledge", "Assistants", "Ingestion"];

    public static TheoryData<string> Apps() => [.. Repo.FunctionAppDirs()];

    [Theory]
    [MemberData(nameof(Apps))]
    public void Only_the_apps_that_embed_carry_the_ONNX_runtime(string app)
    {
        var deps = Repo.PathOf("functions", app, "bin", "Debug", "net10.0", $"{app}.Functions.deps.json");
        Assert.True(File.Exists(deps), $"{app} is not built (dotnet build Functions.sln)");
        var carries = File.ReadAllText(deps).Contains("native/libonnxruntime.so", StringComparison.Ordinal);
        Assert.True(carries == Embedders.Contains(app), carries
            ? $"{app} never embeds but carries libonnxruntime.so: exclude the Microsoft.ML.OnnxRuntime package in its project, as functions/Posts does"
            : $"{app} embeds but lost libonnxruntime.so: the onnx embedder would fail with DllNotFoundException");
    }
}
