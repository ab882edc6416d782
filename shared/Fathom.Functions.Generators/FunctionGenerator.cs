using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Fathom.Functions.Generators;

/// <summary>
/// Emits <c>AddGeneratedFunctions()</c> for the app being compiled: one descriptor per [Function] method,
/// with the parameter binding written out as plain code, the way the isolated worker's generator does.
/// Reading the methods is <see cref="FunctionParser"/>'s, writing the code <see cref="FunctionEmitter"/>'s.
/// </summary>
[Generator]
public sealed class FunctionGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var functions = context.SyntaxProvider.ForAttributeWithMetadataName(
            KnownTypes.FunctionAttribute,
            static (node, _) => node is MethodDeclarationSyntax,
            static (ctx, _) => FunctionParser.Parse((IMethodSymbol)ctx.TargetSymbol, ctx.Attributes[0], KnownTypes.From(ctx.SemanticModel.Compilation)));

        context.RegisterSourceOutput(functions.Collect(), static (spc, models) => FunctionEmitter.Emit(spc, models));
    }
}
