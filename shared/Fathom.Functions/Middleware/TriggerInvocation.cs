using System.Diagnostics;
using Fathom.Functions.Hosting;

namespace Fathom.Functions.Middleware;

/// <summary>
/// What the trigger that started one invocation tells the shared middleware: how to call the function, how to trace
/// it, and what a failure means for it (retried, dead-lettered, answered by ASP.NET Core, or not a failure at all
/// because the host is stopping). Each trigger kind has one, written by its listener (its logs keep its category).
/// </summary>
public abstract class TriggerInvocation
{
    /// <summary>OpenTelemetry's <c>faas.trigger</c>: <c>http</c>, <c>pubsub</c> or <c>timer</c>.</summary>
    public abstract string Type { get; }

    internal virtual ActivityKind SpanKind => ActivityKind.Internal;

    /// <summary>The span the invocation continues (a stream entry's writer); default starts under the current one, or a new trace.</summary>
    internal virtual ActivityContext SpanParent => default;

    /// <summary>Adds the trigger's own attributes to the invocation's span (only called when the span records them).</summary>
    internal virtual void TagSpan(Activity activity)
    {
    }

    /// <summary>False when something else counts the invocations (HTTP: ASP.NET Core's <c>http.server.request.duration</c>).</summary>
    internal virtual bool IsCounted => true;

    /// <summary>The metric outcome of a failure, or null when the exception is no failure of the function (shutdown).</summary>
    internal virtual string? FailureOutcome(Exception exception) => InvocationOutcome.Failure;

    /// <summary>Calls the function (and completes the trigger's side of it, such as acknowledging a stream entry).</summary>
    internal abstract Task InvokeAsync(FunctionContext context);

    internal virtual void OnSucceeded(FunctionContext context)
    {
    }

    /// <summary>Logs a failure and does what the trigger does with it; true when it is handled, false to rethrow it.</summary>
    internal virtual ValueTask<bool> OnFailedAsync(FunctionContext context, Exception exception, string outcome) => ValueTask.FromResult(false);
}
