using Fathom.Functions.Hosting;

namespace Fathom.Functions.Middleware;

/// <summary>
/// One span per invocation, named after the function (<see cref="FunctionActivity"/>), with the trigger's kind, parent
/// and attributes: an HTTP function's span inside ASP.NET Core's request span (timing the function alone, not auth or
/// limits), a stream function's as a child of the span that wrote the entry. A failure marks it as an error.
/// </summary>
public sealed class FunctionTracingMiddleware : IFunctionMiddleware
{
    public async Task InvokeAsync(FunctionContext context, FunctionExecutionDelegate next)
    {
        var trigger = context.Trigger;
        using var activity = FunctionActivity.Start(context.FunctionName, trigger.Type, context.InvocationId, trigger.SpanKind, trigger.SpanParent);
        if (activity is { IsAllDataRequested: true })
        {
            trigger.TagSpan(activity);
        }
        try
        {
            await next(context);
        }
        finally
        {
            // Set by whichever middleware first met the exception, whether it was handled or rethrown.
            if (context.Failure is { } failure)
            {
                FunctionActivity.Fail(activity, failure);
            }
        }
    }
}
