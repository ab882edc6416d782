using Microsoft.CodeAnalysis;

namespace Fathom.Functions.Generators;

/// <summary>
/// What the generator refuses, each as FATHOM001 at the method's name with a message that says how to fix it.
/// tests/Fathom.Functions.Generators.Tests has one test per message.
/// </summary>
internal static class FunctionDiagnostics
{
    public static readonly DiagnosticDescriptor InvalidFunction = new(
        "FATHOM001", "Invalid function", "{0}", "Fathom.Functions", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static string HttpTriggerNotHttpRequest(string function) => $"Function '{function}': an [HttpTrigger] parameter must be HttpRequest.";

    public static string StreamTriggerNotStreamEntry(string function) => $"Function '{function}': a [RedisStreamTrigger] parameter must be StackExchange.Redis.StreamEntry.";

    public static string TimerTriggerNotTimerInfo(string function) => $"Function '{function}': a [TimerTrigger] parameter must be TimerInfo.";

    public static string UnboundParameter(string function, string parameter, string type)
        => $"Function '{function}': parameter '{parameter}' of type {type} cannot be bound (use a route value of type string, Guid, int or long, [FromBody], FunctionContext or CancellationToken).";

    public static string NoTrigger(string function) => $"Function '{function}' has no trigger parameter ([HttpTrigger], [RedisStreamTrigger] or [TimerTrigger]).";

    public static string NotInRoute(string function, string parameter, string route) => $"Function '{function}': parameter '{parameter}' is not a value of route '{route}'.";

    public static string ScopeOutsideHttp(string function) => $"Function '{function}': [RequiredScope] applies to HTTP functions only.";

    public static string HttpWithoutResult(string function) => $"Function '{function}': an HTTP function returns IResult, Task<IResult> or ValueTask<IResult> (typed results welcome).";

    public static string NotAccessible(string function) => $"Function '{function}': the method and its class must be public or internal.";

    public static string DuplicateName(string function) => $"Two functions are named '{function}'.";
}
