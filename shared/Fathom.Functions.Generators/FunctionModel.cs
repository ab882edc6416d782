using System.Collections.Generic;

namespace Fathom.Functions.Generators;

internal enum TriggerKind { Http, Stream, Timer }

internal enum ParameterKind { Trigger, CancellationToken, FunctionContext, Route, Body }

internal sealed record FunctionParameter(ParameterKind Kind, string Name, string TypeName, string RouteParser);

/// <summary>What the generator learned about one [Function] method; only strings, so it is cheap to compare.</summary>
internal sealed record FunctionModel(
    string Name,
    string ContainingType,
    string MethodName,
    bool IsStatic,
    bool ReturnsResult,
    string? DescribedResultType,
    TriggerKind Trigger,
    string TriggerTypeName,
    IReadOnlyList<string> HttpMethods,
    string Route,
    string AuthLevel,
    string? RequiredScope,
    string Connection,
    string StreamKey,
    string? ConsumerGroup,
    int MaxBatchSize,
    string Schedule,
    bool RunOnStartup,
    IReadOnlyList<FunctionParameter> Parameters,
    string? Error,
    Microsoft.CodeAnalysis.Location? Location);
