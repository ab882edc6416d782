namespace Fathom.Functions.Middleware;

/// <summary>
/// Hands each outcome to its trigger: success (a timer logs its run), failure (a stream retries or dead-letters the
/// entry, a timer logs and waits for its next occurrence: both then swallow it; HTTP rethrows it to ASP.NET Core's
/// exception handler). An exception the trigger does not count as a failure (the host is stopping) passes untouched.
/// </summary>
public sealed class FunctionErrorMiddleware : IFunctionMiddleware
{
    public async Task InvokeAsync(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.Classify(ex) is { } outcome)
        {
            if (!await context.Trigger.OnFailedAsync(context, ex, outcome))
            {
                throw;
            }
            return;
        }
        context.Trigger.OnSucceeded(context);
    }
}
