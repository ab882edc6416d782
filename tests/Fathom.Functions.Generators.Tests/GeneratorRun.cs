using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Fathom.Functions.Generators.Tests;

/// <summary>The generator run on one source file, compiled against what an app compiles against (the host, ASP.NET Core, Redis).</summary>
internal sealed class GeneratorRun
{
    /// <summary>Every assembly the test host runs with: the framework, ASP.NET Core, Fathom.Functions and its packages.</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    private GeneratorRun(string source, ImmutableArray<Diagnostic> diagnostics, string? generated)
    {
        Source = source;
        Diagnostics = diagnostics;
        Generated = generated;
    }

    public string Source { get; }

    /// <summary>What the generator reported (not the compiler's own diagnostics).</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>GeneratedFunctionRegistration.g.cs.</summary>
    public string? Generated { get; }

    public static GeneratorRun Of(string source)
    {
        var compilation = CSharpCompilation.Create(
            "App",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create(new FunctionGenerator()).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        var generated = result.GeneratedSources.SingleOrDefault(s => s.HintName == "GeneratedFunctionRegistration.g.cs");
        return new GeneratorRun(source, result.Diagnostics, generated.SourceText?.ToString());
    }

    /// <summary>
    /// Asserts that the generator reported one error, FATHOM001 with <paramref name="message"/>, on the name of the
    /// method <paramref name="method"/> (its only declaration in the source), and generated no registration for it.
    /// </summary>
    public void AssertSingleError(string method, string message)
    {
        var diagnostic = Assert.Single(Diagnostics);
        Assert.Equal("FATHOM001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(diagnostic.Location.IsInSource);
        var declaration = Source.IndexOf(" " + method + "(", StringComparison.Ordinal) + 1;
        Assert.Equal(declaration, diagnostic.Location.SourceSpan.Start);
        Assert.Equal(method.Length, diagnostic.Location.SourceSpan.Length);
        Assert.DoesNotContain("." + method + "(", Generated ?? "", StringComparison.Ordinal);
    }
}
