using Microsoft.CodeAnalysis;

namespace Fathom.Functions.Generators;

/// <summary>
/// The types the generator recognises, by metadata name, resolved once per compilation and compared as symbols: a
/// user type that happens to share a short name (an own <c>HttpTrigger</c> attribute, say) is not taken for ours.
/// </summary>
internal sealed class KnownTypes
{
    public const string FunctionAttribute = "Fathom.Functions.FunctionAttribute";
    public const string HttpTriggerAttribute = "Fathom.Functions.HttpTriggerAttribute";
    public const string RedisStreamTriggerAttribute = "Fathom.Functions.RedisStreamTriggerAttribute";
    public const string TimerTriggerAttribute = "Fathom.Functions.TimerTriggerAttribute";
    public const string FromBodyAttribute = "Fathom.Functions.FromBodyAttribute";
    public const string RequiredScopeAttribute = "Fathom.Functions.RequiredScopeAttribute";
    public const string FunctionContext = "Fathom.Functions.FunctionContext";
    public const string TimerInfo = "Fathom.Functions.TimerInfo";
    public const string HttpRequest = "Microsoft.AspNetCore.Http.HttpRequest";
    public const string Result = "Microsoft.AspNetCore.Http.IResult";
    public const string EndpointMetadataProvider = "Microsoft.AspNetCore.Http.Metadata.IEndpointMetadataProvider";
    public const string StreamEntry = "StackExchange.Redis.StreamEntry";
    public const string CancellationToken = "System.Threading.CancellationToken";
    public const string Guid = "System.Guid";
    public const string TaskOfT = "System.Threading.Tasks.Task`1";
    public const string ValueTaskOfT = "System.Threading.Tasks.ValueTask`1";

    private KnownTypes(Compilation compilation)
    {
        HttpTriggerAttributeType = compilation.GetTypeByMetadataName(HttpTriggerAttribute);
        RedisStreamTriggerAttributeType = compilation.GetTypeByMetadataName(RedisStreamTriggerAttribute);
        TimerTriggerAttributeType = compilation.GetTypeByMetadataName(TimerTriggerAttribute);
        FromBodyAttributeType = compilation.GetTypeByMetadataName(FromBodyAttribute);
        RequiredScopeAttributeType = compilation.GetTypeByMetadataName(RequiredScopeAttribute);
        FunctionContextType = compilation.GetTypeByMetadataName(FunctionContext);
        TimerInfoType = compilation.GetTypeByMetadataName(TimerInfo);
        HttpRequestType = compilation.GetTypeByMetadataName(HttpRequest);
        ResultType = compilation.GetTypeByMetadataName(Result);
        EndpointMetadataProviderType = compilation.GetTypeByMetadataName(EndpointMetadataProvider);
        StreamEntryType = compilation.GetTypeByMetadataName(StreamEntry);
        CancellationTokenType = compilation.GetTypeByMetadataName(CancellationToken);
        GuidType = compilation.GetTypeByMetadataName(Guid);
        TaskOfTType = compilation.GetTypeByMetadataName(TaskOfT);
        ValueTaskOfTType = compilation.GetTypeByMetadataName(ValueTaskOfT);
    }

    public INamedTypeSymbol? HttpTriggerAttributeType { get; }

    public INamedTypeSymbol? RedisStreamTriggerAttributeType { get; }

    public INamedTypeSymbol? TimerTriggerAttributeType { get; }

    public INamedTypeSymbol? FromBodyAttributeType { get; }

    public INamedTypeSymbol? RequiredScopeAttributeType { get; }

    public INamedTypeSymbol? FunctionContextType { get; }

    public INamedTypeSymbol? TimerInfoType { get; }

    public INamedTypeSymbol? HttpRequestType { get; }

    public INamedTypeSymbol? ResultType { get; }

    public INamedTypeSymbol? EndpointMetadataProviderType { get; }

    public INamedTypeSymbol? StreamEntryType { get; }

    public INamedTypeSymbol? CancellationTokenType { get; }

    public INamedTypeSymbol? GuidType { get; }

    public INamedTypeSymbol? TaskOfTType { get; }

    public INamedTypeSymbol? ValueTaskOfTType { get; }

    public static KnownTypes From(Compilation compilation) => new(compilation);

    /// <summary>True when <paramref name="type"/> is the known type (which a compilation may lack: then nothing is).</summary>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known)
        => type is not null && known is not null && SymbolEqualityComparer.Default.Equals(type, known);
}
