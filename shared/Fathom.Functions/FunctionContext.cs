using Fathom.Functions.Middleware;
using Microsoft.AspNetCore.Http;

namespace Fathom.Functions;

/// <summary>What a running invocation knows about itself, as in the isolated worker.</summary>
public sealed class FunctionContext
{
    public required string InvocationId { get; init; }

    public required string FunctionName { get; init; }

    /// <summary>The invocation's own DI scope.</summary>
    public required IServiceProvider InstanceServices { get; init; }

    public CancellationToken CancellationToken { get; init; }

    /// <summary>How many times this stream entry has been handed out, this time included (1 for HTTP and timers).</summary>
    public int DeliveryCount { get; init; } = 1;

    /// <summary>
    /// True when a failure of this invocation is final: the trigger will not hand the work out again (a stream entry
    /// on its last allowed delivery goes to the dead letters; HTTP and timer runs are never redelivered).
    /// </summary>
    public bool IsLastDelivery { get; init; } = true;

    /// <summary>The trigger that started this invocation: what the middleware asks about it.</summary>
    public required TriggerInvocation Trigger { get; init; }

    /// <summary>The exception the invocation failed with, once the middleware has met it (and it counts as a failure).</summary>
    internal Exception? Failure { get; private set; }

    private string? _outcome;

    /// <summary>
    /// The failure's outcome as its trigger names it, decided once: every middleware that meets the exception then
    /// sees the same answer (a stream's "released" depends on the moment shutdown ran out of time).
    /// </summary>
    internal string? Classify(Exception exception)
    {
        if (!ReferenceEquals(Failure, exception))
        {
            _outcome = Trigger.FailureOutcome(exception);
            Failure = _outcome is null ? null : exception;
        }
        return _outcome;
    }

    /// <summary>The context of the HTTP invocation running on this request (the generated code passes it to the function).</summary>
    public static FunctionContext ForHttp(string functionName, HttpContext http)
        => http.Features.Get<FunctionContext>() is { } context && context.FunctionName == functionName
            ? context
            : throw new InvalidOperationException($"Function '{functionName}' runs outside the host's function pipeline.");
}

/// <summary>Passed to timer functions.</summary>
public sealed class TimerInfo
{
    public ScheduleStatus? ScheduleStatus { get; init; }

    /// <summary>True when this run makes up for an occurrence missed while no replica was running.</summary>
    public bool IsPastDue { get; init; }
}

public sealed record ScheduleStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated);
