using Fathom.Functions.Hosting;

namespace Fathom.Functions.Middleware;

/// <summary>
/// Counts each invocation by outcome and times it (<c>fathom.function.invocations</c>, <c>fathom.function.duration</c>),
/// for triggers nothing else counts (not HTTP, which ASP.NET Core's own request metrics cover).
/// </summary>
public sealed class FunctionMetricsMiddleware(FunctionMetrics metrics, TimeProvider time) : IFunctionMiddleware
{
    public async Task InvokeAsync(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (!context.Trigger.IsCounted)
        {
            await next(context);
            return;
        }
        var started = time.GetTimestamp();
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.Classify(ex) is { } outcome)
        {
            metrics.Record(context.FunctionName, outcome, time.GetElapsedTime(started));
            throw;
        }
        metrics.Record(context.FunctionName, InvocationOutcome.Success, time.GetElapsedTime(started));
    }
}
