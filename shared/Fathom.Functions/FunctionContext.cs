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

    public static FunctionContext ForHttp(string functionName, HttpContext http) => new()
    {
        InvocationId = http.TraceIdentifier,
        FunctionName = functionName,
        InstanceServices = http.RequestServices,
        CancellationToken = http.RequestAborted,
    };
}

/// <summary>Passed to timer functions.</summary>
public sealed class TimerInfo
{
    public ScheduleStatus? ScheduleStatus { get; init; }

    /// <summary>True when this run makes up for an occurrence missed while no replica was running.</summary>
    public bool IsPastDue { get; init; }
}

public sealed record ScheduleStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated);
