using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Fathom.Functions.Generators;

/// <summary>
/// Reads one [Function] method's symbols into a <see cref="FunctionModel"/>: its trigger and the trigger's settings,
/// how each parameter binds, and the first thing that makes it invalid (<see cref="FunctionDiagnostics"/>).
/// </summary>
internal static class FunctionParser
{
    public static FunctionModel Parse(IMethodSymbol method, AttributeData functionAttribute, KnownTypes known)
    {
        var name = functionAttribute.ConstructorArguments.Length > 0 ? functionAttribute.ConstructorArguments[0].Value as string ?? method.Name : method.Name;
        var location = method.Locations.FirstOrDefault();
        var parameters = new List<FunctionParameter>();
        TriggerKind? trigger = null;
        string triggerType = "";
        var httpMethods = new List<string>();
        string route = "", authLevel = "Function", connection = "", streamKey = "", schedule = "";
        string? group = null;
        int batch = 0;
        bool runOnStartup = false;
        string? error = null;

        foreach (var p in method.Parameters)
        {
            var typeName = p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            var attributes = p.GetAttributes();
            var http = Find(attributes, known.HttpTriggerAttributeType);
            var stream = Find(attributes, known.RedisStreamTriggerAttributeType);
            var timer = Find(attributes, known.TimerTriggerAttributeType);
            var body = Find(attributes, known.FromBodyAttributeType) is not null;

            if (http is not null)
            {
                trigger = TriggerKind.Http;
                triggerType = typeName;
                foreach (var arg in http.ConstructorArguments)
                {
                    if (arg.Kind == TypedConstantKind.Enum)
                    {
                        authLevel = EnumName(arg);
                    }
                    else if (arg.Kind == TypedConstantKind.Array)
                    {
                        httpMethods.AddRange(arg.Values.Select(v => ((string?)v.Value ?? "").ToUpperInvariant()));
                    }
                }
                route = Named(http, "Route") as string ?? name;
                parameters.Add(new FunctionParameter(ParameterKind.Trigger, p.Name, typeName, ""));
                if (!KnownTypes.Is(p.Type, known.HttpRequestType))
                {
                    error = FunctionDiagnostics.HttpTriggerNotHttpRequest(name);
                }
            }
            else if (stream is not null)
            {
                trigger = TriggerKind.Stream;
                triggerType = typeName;
                connection = stream.ConstructorArguments[0].Value as string ?? "";
                streamKey = stream.ConstructorArguments[1].Value as string ?? "";
                group = Named(stream, "ConsumerGroup") as string;
                batch = Named(stream, "MaxBatchSize") is int b ? b : 0;
                parameters.Add(new FunctionParameter(ParameterKind.Trigger, p.Name, typeName, ""));
                if (!KnownTypes.Is(p.Type, known.StreamEntryType))
                {
                    error = FunctionDiagnostics.StreamTriggerNotStreamEntry(name);
                }
            }
            else if (timer is not null)
            {
                trigger = TriggerKind.Timer;
                triggerType = typeName;
                schedule = timer.ConstructorArguments[0].Value as string ?? "";
                runOnStartup = Named(timer, "RunOnStartup") is true;
                parameters.Add(new FunctionParameter(ParameterKind.Trigger, p.Name, typeName, ""));
                if (!KnownTypes.Is(p.Type, known.TimerInfoType))
                {
                    error = FunctionDiagnostics.TimerTriggerNotTimerInfo(name);
                }
            }
            else if (KnownTypes.Is(p.Type, known.CancellationTokenType))
            {
                parameters.Add(new FunctionParameter(ParameterKind.CancellationToken, p.Name, typeName, ""));
            }
            else if (KnownTypes.Is(p.Type, known.FunctionContextType))
            {
                parameters.Add(new FunctionParameter(ParameterKind.FunctionContext, p.Name, typeName, ""));
            }
            else if (body)
            {
                parameters.Add(new FunctionParameter(ParameterKind.Body, p.Name, typeName.TrimEnd('?'), ""));
            }
            else
            {
                var parser = RouteParser(p.Type, known);
                if (parser.Length == 0)
                {
                    error = FunctionDiagnostics.UnboundParameter(name, p.Name, typeName);
                }
                parameters.Add(new FunctionParameter(ParameterKind.Route, p.Name, typeName, parser));
            }
        }

        if (trigger is null)
        {
            error ??= FunctionDiagnostics.NoTrigger(name);
        }
        if (trigger == TriggerKind.Http)
        {
            foreach (var p in parameters.Where(p => p.Kind == ParameterKind.Route))
            {
                if (!route.Contains("{" + p.Name))
                {
                    error ??= FunctionDiagnostics.NotInRoute(name, p.Name, route);
                }
            }
        }

        var scope = Find(method.GetAttributes(), known.RequiredScopeAttributeType)?.ConstructorArguments[0].Value as string;
        if (scope is not null && trigger != TriggerKind.Http)
        {
            error ??= FunctionDiagnostics.ScopeOutsideHttp(name);
        }

        var returnsResult = IsResult(Unwrapped(method.ReturnType, known), known);
        if (trigger == TriggerKind.Http && !returnsResult)
        {
            error ??= FunctionDiagnostics.HttpWithoutResult(name);
        }
        if (method.DeclaredAccessibility != Accessibility.Public || method.ContainingType.DeclaredAccessibility != Accessibility.Public && method.ContainingType.DeclaredAccessibility != Accessibility.Internal)
        {
            error ??= FunctionDiagnostics.NotAccessible(name);
        }

        return new FunctionModel(
            name,
            method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            method.Name,
            method.IsStatic,
            returnsResult,
            DescribedResultType(method.ReturnType, known),
            trigger ?? TriggerKind.Http,
            triggerType,
            httpMethods.Count == 0 ? new[] { "GET", "POST" } : httpMethods.ToArray(),
            route,
            authLevel,
            scope,
            connection,
            streamKey,
            group,
            batch,
            schedule,
            runOnStartup,
            parameters,
            error,
            location);
    }

    private static AttributeData? Find(IEnumerable<AttributeData> attributes, INamedTypeSymbol? type)
        => attributes.FirstOrDefault(a => KnownTypes.Is(a.AttributeClass, type));

    private static object? Named(AttributeData attribute, string name)
        => attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value;

    private static string EnumName(TypedConstant constant)
    {
        var type = constant.Type as INamedTypeSymbol;
        var member = type?.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, constant.Value));
        return member?.Name ?? "Function";
    }

    /// <summary>The <c>FunctionBinding</c> method that parses a route value into the type, or "" when none does.</summary>
    private static string RouteParser(ITypeSymbol type, KnownTypes known) => type.SpecialType switch
    {
        SpecialType.System_String => "RouteString",
        SpecialType.System_Int32 => "RouteInt32",
        SpecialType.System_Int64 => "RouteInt64",
        _ => KnownTypes.Is(type, known.GuidType) ? "RouteGuid" : "",
    };

    /// <summary>
    /// The result type when it describes its own responses (<c>Results&lt;Ok&lt;T&gt;, NotFound&gt;</c>, <c>Created&lt;T&gt;</c>:
    /// ASP.NET Core's typed results implement IEndpointMetadataProvider); null for a plain IResult, which says nothing.
    /// </summary>
    private static string? DescribedResultType(ITypeSymbol type, KnownTypes known)
    {
        type = Unwrapped(type, known);
        return type.AllInterfaces.Any(i => KnownTypes.Is(i, known.EndpointMetadataProviderType))
            ? type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
            : null;
    }

    private static ITypeSymbol Unwrapped(ITypeSymbol type, KnownTypes known)
        => type is INamedTypeSymbol { IsGenericType: true } named &&
           (KnownTypes.Is(named.ConstructedFrom, known.TaskOfTType) || KnownTypes.Is(named.ConstructedFrom, known.ValueTaskOfTType))
            ? named.TypeArguments[0]
            : type;

    private static bool IsResult(ITypeSymbol type, KnownTypes known)
        => KnownTypes.Is(type, known.ResultType) || type.AllInterfaces.Any(i => KnownTypes.Is(i, known.ResultType));
}
