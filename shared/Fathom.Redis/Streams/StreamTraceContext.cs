using System.Diagnostics;
using StackExchange.Redis;

namespace Fathom.Redis.Streams;

/// <summary>
/// W3C trace context carried in a stream entry's own fields, so that the function reading the entry continues the
/// trace of the request that wrote it. Writers add the fields (see <c>IngestMessage</c>); the stream trigger reads them.
/// </summary>
public static class StreamTraceContext
{
    public const string TraceParentField = "traceparent";
    public const string TraceStateField = "tracestate";

    /// <summary>The current span as <c>traceparent</c>/<c>tracestate</c> values, or nulls outside a W3C trace.</summary>
    public static (string? TraceParent, string? TraceState) Current()
        => Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? (activity.Id, activity.TraceStateString) : (null, null);

    /// <summary>The writer's span context, or default (a new trace) when the entry has none or a malformed one.</summary>
    public static ActivityContext Read(StreamEntry entry)
        => (string?)entry[TraceParentField] is { } traceParent
           && ActivityContext.TryParse(traceParent, (string?)entry[TraceStateField], isRemote: true, out var context)
            ? context
            : default;
}
