namespace Fathom.Functions.Middleware;

/// <summary>The rest of the function pipeline, ending with the function itself.</summary>
public delegate Task FunctionExecutionDelegate(FunctionContext context);

/// <summary>
/// One step of the pipeline every invocation passes, whatever its trigger, as the isolated worker's
/// <c>IFunctionsWorkerMiddleware</c>. Register one as a singleton <see cref="IFunctionMiddleware"/>: it runs inside
/// the host's own (<see cref="FunctionPipeline"/>), within the invocation's span and with failures handled.
/// </summary>
public interface IFunctionMiddleware
{
    Task InvokeAsync(FunctionContext context, FunctionExecutionDelegate next);
}
