using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Fathom.Functions.Generators;

/// <summary>
/// Emits <c>AddGeneratedFunctions()</c> for the app being compiled: one descriptor per [Function] method,
/// with the parameter binding written out as plain code, the way the isolated worker's generator does.
/// </summary>
[Generator]
public sealed class FunctionGenerator : IIncrementalGenerator
{
    private const string FunctionAttribute = "Fathom.Functions.FunctionAttribute";

    private static readonly DiagnosticDescriptor InvalidFunction = new(
        "FATHOM001", "Invalid function", "{0}", "Fathom.Functions", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var functions = context.SyntaxProvider.ForAttributeWithMetadataName(
            FunctionAttribute,
            static (node, _) => node is MethodDeclarationSyntax,
            static (ctx, _) => Describe((IMethodSymbol)ctx.TargetSymbol, ctx.Attributes[0]));

        context.RegisterSourceOutput(functions.Collect(), static (spc, models) => Emit(spc, models));
    }

    private static FunctionModel Describe(IMethodSymbol method, AttributeData functionAttribute)
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
            var http = attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Fathom.Functions.HttpTriggerAttribute");
            var stream = attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Fathom.Functions.RedisStreamTriggerAttribute");
            var timer = attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Fathom.Functions.TimerTriggerAttribute");
            var body = attributes.Any(a => a.AttributeClass?.ToDisplayString() == "Fathom.Functions.FromBodyAttribute");

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
                if (typeName != "global::Microsoft.AspNetCore.Http.HttpRequest")
                {
                    error = $"Function '{name}': an [HttpTrigger] parameter must be HttpRequest.";
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
                if (typeName != "global::StackExchange.Redis.StreamEntry")
                {
                    error = $"Function '{name}': a [RedisStreamTrigger] parameter must be StackExchange.Redis.StreamEntry.";
                }
            }
            else if (timer is not null)
            {
                trigger = TriggerKind.Timer;
                triggerType = typeName;
                schedule = timer.ConstructorArguments[0].Value as string ?? "";
                runOnStartup = Named(timer, "RunOnStartup") is true;
                parameters.Add(new FunctionParameter(ParameterKind.Trigger, p.Name, typeName, ""));
                if (typeName != "global::Fathom.Functions.TimerInfo")
                {
                    error = $"Function '{name}': a [TimerTrigger] parameter must be TimerInfo.";
                }
            }
            else if (typeName == "global::System.Threading.CancellationToken")
            {
                parameters.Add(new FunctionParameter(ParameterKind.CancellationToken, p.Name, typeName, ""));
            }
            else if (typeName == "global::Fathom.Functions.FunctionContext")
            {
                parameters.Add(new FunctionParameter(ParameterKind.FunctionContext, p.Name, typeName, ""));
            }
            else if (body)
            {
                parameters.Add(new FunctionParameter(ParameterKind.Body, p.Name, typeName.TrimEnd('?'), ""));
            }
            else
            {
                var parser = typeName switch
                {
                    "string" => "RouteString",
                    "global::System.Guid" => "RouteGuid",
                    "int" => "RouteInt32",
                    "long" => "RouteInt64",
                    _ => "",
                };
                if (parser.Length == 0)
                {
                    error = $"Function '{name}': parameter '{p.Name}' of type {typeName} cannot be bound (use a route value of type string, Guid, int or long, [FromBody], FunctionContext or CancellationToken).";
                }
                parameters.Add(new FunctionParameter(ParameterKind.Route, p.Name, typeName, parser));
            }
        }

        if (trigger is null)
        {
            error ??= $"Function '{name}' has no trigger parameter ([HttpTrigger], [RedisStreamTrigger] or [TimerTrigger]).";
        }
        if (trigger == TriggerKind.Http)
        {
            foreach (var p in parameters.Where(p => p.Kind == ParameterKind.Route))
            {
                if (!route.Contains("{" + p.Name))
                {
                    error ??= $"Function '{name}': parameter '{p.Name}' is not a value of route '{route}'.";
                }
            }
        }

        var scope = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Fathom.Functions.RequiredScopeAttribute")?.ConstructorArguments[0].Value as string;
        if (scope is not null && trigger != TriggerKind.Http)
        {
            error ??= $"Function '{name}': [RequiredScope] applies to HTTP functions only.";
        }

        var returnsResult = ReturnsResult(method.ReturnType);
        if (trigger == TriggerKind.Http && !returnsResult)
        {
            error ??= $"Function '{name}': an HTTP function returns IResult, Task<IResult> or ValueTask<IResult> (typed results welcome).";
        }
        if (method.DeclaredAccessibility != Accessibility.Public || method.ContainingType.DeclaredAccessibility != Accessibility.Public && method.ContainingType.DeclaredAccessibility != Accessibility.Internal)
        {
            error ??= $"Function '{name}': the method and its class must be public or internal.";
        }

        return new FunctionModel(
            name,
            method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            method.Name,
            method.IsStatic,
            returnsResult,
            DescribedResultType(method.ReturnType),
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

    private static object? Named(AttributeData attribute, string name)
        => attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value;

    private static string EnumName(TypedConstant constant)
    {
        var type = constant.Type as INamedTypeSymbol;
        var member = type?.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, constant.Value));
        return member?.Name ?? "Function";
    }

    private static bool ReturnsResult(ITypeSymbol type) => IsResult(Unwrapped(type));

    /// <summary>
    /// The result type when it describes its own responses (<c>Results&lt;Ok&lt;T&gt;, NotFound&gt;</c>, <c>Created&lt;T&gt;</c>:
    /// ASP.NET Core's typed results implement IEndpointMetadataProvider); null for a plain IResult, which says nothing.
    /// </summary>
    private static string? DescribedResultType(ITypeSymbol type)
    {
        type = Unwrapped(type);
        return type.AllInterfaces.Any(i => i.ToDisplayString() == "Microsoft.AspNetCore.Http.Metadata.IEndpointMetadataProvider")
            ? type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
            : null;
    }

    private static ITypeSymbol Unwrapped(ITypeSymbol type)
        => type is INamedTypeSymbol named && named.IsGenericType &&
           named.ConstructedFrom.ToDisplayString() is "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>"
            ? named.TypeArguments[0]
            : type;

    private static bool IsResult(ITypeSymbol type)
        => type.ToDisplayString() == "Microsoft.AspNetCore.Http.IResult" ||
           type.AllInterfaces.Any(i => i.ToDisplayString() == "Microsoft.AspNetCore.Http.IResult");

    private static void Emit(SourceProductionContext spc, ImmutableArray<FunctionModel> models)
    {
        var valid = new List<FunctionModel>();
        foreach (var model in models)
        {
            if (model.Error is not null)
            {
                spc.ReportDiagnostic(Diagnostic.Create(InvalidFunction, model.Location, model.Error));
            }
            else
            {
                valid.Add(model);
            }
        }
        foreach (var duplicate in valid.GroupBy(m => m.Name).Where(g => g.Count() > 1))
        {
            spc.ReportDiagnostic(Diagnostic.Create(InvalidFunction, duplicate.First().Location, $"Two functions are named '{duplicate.Key}'."));
        }

        var sb = new StringBuilder();
        sb.AppendLine("// <auto-generated/> by Fathom.Functions.Generators");
        sb.AppendLine("#nullable enable");
        sb.AppendLine("using Microsoft.Extensions.DependencyInjection;");
        sb.AppendLine("using Microsoft.Extensions.DependencyInjection.Extensions;");
        sb.AppendLine();
        sb.AppendLine("namespace Fathom.Functions;");
        sb.AppendLine();
        sb.AppendLine("internal static class GeneratedFunctionRegistration");
        sb.AppendLine("{");
        sb.AppendLine("    /// <summary>Registers every [Function] of this app (found at compile time) with the host.</summary>");
        sb.AppendLine("    public static global::Fathom.Functions.FunctionsApplicationBuilder AddGeneratedFunctions(this global::Fathom.Functions.FunctionsApplicationBuilder builder)");
        sb.AppendLine("    {");
        foreach (var type in valid.Where(m => !m.IsStatic).Select(m => m.ContainingType).Distinct())
        {
            sb.AppendLine($"        builder.Services.TryAddScoped<{type}>();");
        }
        sb.AppendLine("        builder.AddFunctions(new global::Fathom.Functions.FunctionDescriptor[]");
        sb.AppendLine("        {");
        foreach (var model in valid.OrderBy(m => m.Name, System.StringComparer.Ordinal))
        {
            sb.AppendLine(model.Trigger switch
            {
                TriggerKind.Http => EmitHttp(model),
                TriggerKind.Stream => EmitStream(model),
                _ => EmitTimer(model),
            });
        }
        sb.AppendLine("        });");
        sb.AppendLine("        return builder;");
        sb.AppendLine("    }");
        sb.AppendLine("}");
        spc.AddSource("GeneratedFunctionRegistration.g.cs", sb.ToString());
    }

    private static string Target(FunctionModel m, string services)
        => m.IsStatic ? m.ContainingType : $"{services}.GetRequiredService<{m.ContainingType}>()";

    private static string EmitHttp(FunctionModel m)
    {
        var sb = new StringBuilder();
        var methods = string.Join(", ", m.HttpMethods.Select(x => Literal(x)));
        sb.AppendLine($"            new global::Fathom.Functions.HttpFunctionDescriptor({Literal(m.Name)}, new[] {{ {methods} }}, {Literal(m.Route)}, global::Fathom.Functions.AuthorizationLevel.{m.AuthLevel}, static async http =>");
        sb.AppendLine("            {");
        var args = new List<string>();
        foreach (var p in m.Parameters)
        {
            switch (p.Kind)
            {
                case ParameterKind.Trigger:
                    args.Add("http.Request");
                    break;
                case ParameterKind.CancellationToken:
                    args.Add("http.RequestAborted");
                    break;
                case ParameterKind.FunctionContext:
                    args.Add($"global::Fathom.Functions.FunctionContext.ForHttp({Literal(m.Name)}, http)");
                    break;
                case ParameterKind.Route:
                    sb.AppendLine($"                if (!global::Fathom.Functions.FunctionBinding.{p.RouteParser}(http, {Literal(p.Name)}, out var @{p.Name})) {{ await global::Fathom.Functions.FunctionBinding.WriteNotFoundAsync(http); return; }}");
                    args.Add("@" + p.Name);
                    break;
                case ParameterKind.Body:
                    sb.AppendLine($"                var (@{p.Name}Ok, @{p.Name}) = await global::Fathom.Functions.FunctionBinding.ReadBodyAsync<{p.TypeName}>(http);");
                    sb.AppendLine($"                if (!@{p.Name}Ok) return;");
                    args.Add("@" + p.Name + "!");
                    break;
            }
        }
        sb.AppendLine($"                var result = await global::Fathom.Functions.FunctionBinding.AsTask({Target(m, "http.RequestServices")}.{m.MethodName}({string.Join(", ", args)}));");
        sb.AppendLine("                await result.ExecuteAsync(http);");
        // What the OpenAPI document says of the function: its JSON body and the responses its typed result declares.
        var body = m.Parameters.FirstOrDefault(p => p.Kind == ParameterKind.Body);
        var bodyType = body is null ? "null" : $"typeof({body.TypeName})";
        var results = m.DescribedResultType is null ? "null" : $"global::Fathom.Functions.OpenApi.ResultMetadata.Of<{m.DescribedResultType}>";
        sb.Append($"            }}, {(m.RequiredScope is null ? "null" : Literal(m.RequiredScope))}, {bodyType}, {results}),");
        return sb.ToString();
    }

    private static string Arguments(FunctionModel m, string trigger)
        => string.Join(", ", m.Parameters.Select(p => p.Kind switch
        {
            ParameterKind.Trigger => trigger,
            ParameterKind.CancellationToken => "context.CancellationToken",
            _ => "context",
        }));

    private static string EmitStream(FunctionModel m)
        => $"            new global::Fathom.Functions.StreamFunctionDescriptor({Literal(m.Name)}, {Literal(m.Connection)}, {Literal(m.StreamKey)}, {(m.ConsumerGroup is null ? "null" : Literal(m.ConsumerGroup))}, {m.MaxBatchSize}, static async (entry, context) => await {Target(m, "context.InstanceServices")}.{m.MethodName}({Arguments(m, "entry")})),";

    private static string EmitTimer(FunctionModel m)
        => $"            new global::Fathom.Functions.TimerFunctionDescriptor({Literal(m.Name)}, {Literal(m.Schedule)}, {(m.RunOnStartup ? "true" : "false")}, static async (timer, context) => await {Target(m, "context.InstanceServices")}.{m.MethodName}({Arguments(m, "timer")})),";

    private static string Literal(string value)
        => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
