using Fathom.Functions.Middleware;
using Microsoft.AspNetCore.Http;

namespace Fathom.Functions.Http;

/// <summary>
/// An HTTP function's call through the function pipeline, once ASP.NET Core's own pipeline (request id, auth, limits,
/// timeouts) has let the request through. A failure goes on to ASP.NET Core's exception handler, which logs it and
/// answers with problem details; requests are counted by ASP.NET Core's metrics, not the function's.
/// </summary>
internal sealed class HttpInvocation(HttpFunctionDescriptor function, HttpContext http) : TriggerInvocation
{
    public override string Type => "http";

    internal override bool IsCounted => false;

    public static Task RunAsync(FunctionPipeline pipeline, HttpFunctionDescriptor function, HttpContext http)
    {
        var context = new FunctionContext
        {
            InvocationId = http.TraceIdentifier,
            FunctionName = function.Name,
            InstanceServices = http.RequestServices,
            CancellationToken = http.RequestAborted,
            Trigger = new HttpInvocation(function, http),
        };
        // Where the generated code finds it for a function that takes a FunctionContext (FunctionContext.ForHttp).
        http.Features.Set(context);
        return pipeline.InvokeAsync(context);
    }

    internal override Task InvokeAsync(FunctionContext context) => function.Invoke(http);
}
