using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fathom.Functions.Middleware;

/// <summary>
/// The middleware every invocation passes, composed once per app. Outermost first: the span
/// (<see cref="FunctionTracingMiddleware"/>), failure handling and logs (<see cref="FunctionErrorMiddleware"/>), the
/// count and duration (<see cref="FunctionMetricsMiddleware"/>), any middleware the app registered, then the function.
/// Failure handling sits inside the span so that its logs carry the span's trace and span ids; metrics sit inside
/// failure handling so that a duration times the function alone, not a dead-letter write after it.
/// </summary>
public sealed class FunctionPipeline
{
    private readonly FunctionExecutionDelegate _pipeline;

    public FunctionPipeline(
        FunctionTracingMiddleware tracing,
        FunctionErrorMiddleware errors,
        FunctionMetricsMiddleware metrics,
        IEnumerable<IFunctionMiddleware> appMiddleware)
    {
        IFunctionMiddleware[] middleware = [tracing, errors, metrics, .. appMiddleware];
        FunctionExecutionDelegate pipeline = static context => context.Trigger.InvokeAsync(context);
        foreach (var step in middleware.Reverse())
        {
            var next = pipeline;
            pipeline = context => step.InvokeAsync(context, next);
        }
        _pipeline = pipeline;
    }

    public Task InvokeAsync(FunctionContext context) => _pipeline(context);
}

internal static class FunctionPipelineRegistration
{
    public static IServiceCollection AddFunctionPipeline(this IServiceCollection services)
    {
        services.TryAddSingleton<FunctionTracingMiddleware>();
        services.TryAddSingleton<FunctionErrorMiddleware>();
        services.TryAddSingleton<FunctionMetricsMiddleware>();
        services.TryAddSingleton<FunctionPipeline>();
        return services;
    }
}
