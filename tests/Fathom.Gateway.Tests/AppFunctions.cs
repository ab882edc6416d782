using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Fathom.Gateway.Tests;

/// <summary>One HTTP function as its source declares it: read by reflection from the built app, not from the generator.</summary>
public sealed record DeclaredFunction(
    string Name,
    string Path,
    IReadOnlyList<string> Methods,
    string AuthLevel,
    string? RequiredScope,
    Type? BodyType,
    IReadOnlyList<DeclaredResponse> Responses);

public sealed record DeclaredResponse(int Status, Type? Type);

/// <summary>
/// Reads an app's <c>[Function]</c> methods from its built assembly, in a load context of its own (the app's
/// packages beside it, ASP.NET Core from the shared framework), so the drift test knows what the source says
/// without trusting the function generator that also writes the OpenAPI document.
/// </summary>
public static partial class AppFunctions
{
    public static IReadOnlyList<DeclaredFunction> Read(string assemblyPath, string routePrefix)
    {
        var context = new AppLoadContext(assemblyPath);
        var assembly = context.LoadFromAssemblyPath(assemblyPath);
        var functions = new List<DeclaredFunction>();
        foreach (var method in assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)))
        {
            var function = method.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == "Fathom.Functions.FunctionAttribute");
            var trigger = method.GetParameters()
                .SelectMany(p => p.GetCustomAttributesData())
                .FirstOrDefault(a => a.AttributeType.FullName == "Fathom.Functions.HttpTriggerAttribute");
            if (function is null || trigger is null)
            {
                continue;
            }
            var name = function.ConstructorArguments.Count > 0 ? (string)function.ConstructorArguments[0].Value! : method.Name;
            var authLevel = Enum.GetName(trigger.ConstructorArguments[0].ArgumentType, trigger.ConstructorArguments[0].Value!)!;
            var methods = trigger.ConstructorArguments
                .Where(a => a.ArgumentType.IsArray)
                .SelectMany(a => (IEnumerable<CustomAttributeTypedArgument>)a.Value!)
                .Select(v => ((string)v.Value!).ToUpperInvariant())
                .ToList();
            var route = trigger.NamedArguments.FirstOrDefault(a => a.MemberName == "Route").TypedValue.Value as string ?? name;
            var body = method.GetParameters()
                .FirstOrDefault(p => p.GetCustomAttributesData().Any(a => a.AttributeType.FullName == "Fathom.Functions.FromBodyAttribute"))
                ?.ParameterType;
            var scope = method.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == "Fathom.Functions.RequiredScopeAttribute")?.ConstructorArguments[0].Value as string;
            functions.Add(new DeclaredFunction(name, PathOf(routePrefix, route), methods.Count == 0 ? ["GET", "POST"] : methods, authLevel, scope, body, Responses(method.ReturnType)));
        }
        return functions;
    }

    /// <summary><c>tasks/{id:guid}</c> under prefix <c>api</c> → <c>/api/tasks/{id}</c>: constraints and catch-all stars are not part of an OpenAPI path.</summary>
    public static string PathOf(string prefix, string route)
    {
        var path = "/" + string.Join('/', new[] { prefix.Trim('/'), route.Trim('/') }.Where(s => s.Length > 0));
        return RouteParameter().Replace(path, "{$1}");
    }

    [GeneratedRegex(@"\{\**([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    /// <summary>What the result type declares, asked of ASP.NET Core itself (its typed results describe their own responses).</summary>
    private static List<DeclaredResponse> Responses(Type returnType)
    {
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() is var definition && (definition == typeof(Task<>) || definition == typeof(ValueTask<>)))
        {
            returnType = returnType.GetGenericArguments()[0];
        }
        if (!typeof(IEndpointMetadataProvider).IsAssignableFrom(returnType))
        {
            return [];
        }
        var builder = new RouteEndpointBuilder(null, RoutePatternFactory.Parse("/"), 0);
        var populate = typeof(AppFunctions).GetMethod(nameof(Populate), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(returnType);
        populate.Invoke(null, [builder]);
        return builder.Metadata.OfType<IProducesResponseTypeMetadata>()
            .Select(p => new DeclaredResponse(p.StatusCode, p.Type == typeof(void) ? null : p.Type))
            .ToList();
    }

    private static void Populate<TResult>(EndpointBuilder builder)
        where TResult : IEndpointMetadataProvider
        => TResult.PopulateMetadata(typeof(AppFunctions).GetMethod(nameof(Populate), BindingFlags.NonPublic | BindingFlags.Static)!, builder);

    /// <summary>The app's own dependencies from its folder; everything the shared framework has comes from the test's runtime.</summary>
    private sealed class AppLoadContext(string assemblyPath) : AssemblyLoadContext(isCollectible: true)
    {
        private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

        protected override Assembly? Load(AssemblyName name)
            => _resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}
