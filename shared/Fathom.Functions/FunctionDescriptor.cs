using Fathom.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using StackExchange.Redis;

namespace Fathom.Functions;

/// <summary>One function as the generator found it: its name, its trigger and how to call it.</summary>
public abstract record FunctionDescriptor(string Name);

/// <param name="BodyType">The <c>[FromBody]</c> parameter's type, if any (the OpenAPI document's request body).</param>
/// <param name="DescribeResults">Adds the response metadata the function's typed result declares (ASP.NET Core's own), if it declares any.</param>
public sealed record HttpFunctionDescriptor(
    string Name,
    IReadOnlyList<string> Methods,
    string Route,
    AuthorizationLevel AuthLevel,
    RequestDelegate Invoke,
    string? RequiredScope = null,
    Type? BodyType = null,
    Action<EndpointBuilder>? DescribeResults = null) : FunctionDescriptor(Name), IHttpFunctionMetadata;

public sealed record StreamFunctionDescriptor(
    string Name,
    string Connection,
    string StreamKey,
    string? ConsumerGroup,
    int MaxBatchSize,
    Func<StreamEntry, FunctionContext, Task> Invoke) : FunctionDescriptor(Name)
{
    public string Group => ConsumerGroup ?? Name;
}

public sealed record TimerFunctionDescriptor(
    string Name,
    string Schedule,
    bool RunOnStartup,
    Func<TimerInfo, FunctionContext, Task> Invoke) : FunctionDescriptor(Name);
