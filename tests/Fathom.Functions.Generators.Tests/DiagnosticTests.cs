namespace Fathom.Functions.Generators.Tests;

/// <summary>One test per function the generator refuses (FATHOM001, see FunctionDiagnostics): the message and where it points.</summary>
public sealed class DiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Fathom.Functions;
        using Microsoft.AspNetCore.Http;
        using StackExchange.Redis;

        """;

    private static GeneratorRun Run(string functions) => GeneratorRun.Of(Usings + functions);

    [Fact]
    public void An_http_trigger_on_anything_but_HttpRequest_is_refused()
        => Run("""
            public class F { [Function("Bad")] public IResult BadHttp([HttpTrigger("get")] string req) => Results.Ok(); }
            """).AssertSingleError("BadHttp", "Function 'Bad': an [HttpTrigger] parameter must be HttpRequest.");

    [Fact]
    public void A_stream_trigger_on_anything_but_StreamEntry_is_refused()
        => Run("""
            public class F { [Function("Bad")] public Task BadStream([RedisStreamTrigger("Redis", "s")] string entry) => Task.CompletedTask; }
            """).AssertSingleError("BadStream", "Function 'Bad': a [RedisStreamTrigger] parameter must be StackExchange.Redis.StreamEntry.");

    [Fact]
    public void A_timer_trigger_on_anything_but_TimerInfo_is_refused()
        => Run("""
            public class F { [Function("Bad")] public Task BadTimer([TimerTrigger("0 * * * * *")] DateTime timer) => Task.CompletedTask; }
            """).AssertSingleError("BadTimer", "Function 'Bad': a [TimerTrigger] parameter must be TimerInfo.");

    [Fact]
    public void A_parameter_nothing_binds_is_refused()
        => Run("""
            public class F { [Function("Bad")] public IResult Unbound([HttpTrigger("get", Route = "x/{when}")] HttpRequest req, DateTime when) => Results.Ok(); }
            """).AssertSingleError("Unbound", "Function 'Bad': parameter 'when' of type global::System.DateTime cannot be bound (use a route value of type string, Guid, int or long, [FromBody], FunctionContext or CancellationToken).");

    [Fact]
    public void A_function_without_a_trigger_is_refused()
        => Run("""
            public class F { [Function("Bad")] public Task NoTrigger(CancellationToken ct) => Task.CompletedTask; }
            """).AssertSingleError("NoTrigger", "Function 'Bad' has no trigger parameter ([HttpTrigger], [RedisStreamTrigger] or [TimerTrigger]).");

    [Fact]
    public void A_route_value_missing_from_the_route_is_refused()
        => Run("""
            public class F { [Function("Bad")] public IResult NotInRoute([HttpTrigger("get", Route = "items")] HttpRequest req, Guid id) => Results.Ok(); }
            """).AssertSingleError("NotInRoute", "Function 'Bad': parameter 'id' is not a value of route 'items'.");

    [Fact]
    public void A_required_scope_outside_http_is_refused()
        => Run("""
            public class F { [Function("Bad")] [RequiredScope("read")] public Task ScopedTimer([TimerTrigger("0 * * * * *")] TimerInfo timer) => Task.CompletedTask; }
            """).AssertSingleError("ScopedTimer", "Function 'Bad': [RequiredScope] applies to HTTP functions only.");

    [Fact]
    public void An_http_function_that_returns_no_result_is_refused()
        => Run("""
            public class F { [Function("Bad")] public Task<string> NoResult([HttpTrigger("get")] HttpRequest req) => Task.FromResult("x"); }
            """).AssertSingleError("NoResult", "Function 'Bad': an HTTP function returns IResult, Task<IResult> or ValueTask<IResult> (typed results welcome).");

    [Fact]
    public void A_function_the_generated_code_cannot_call_is_refused()
        => Run("""
            public class F { [Function("Bad")] private IResult Hidden([HttpTrigger("get")] HttpRequest req) => Results.Ok(); }
            """).AssertSingleError("Hidden", "Function 'Bad': the method and its class must be public or internal.");

    [Fact]
    public void Two_functions_of_one_name_are_refused_at_the_first()
    {
        var run = Run("""
            public class F
            {
                [Function("Same")] public IResult First([HttpTrigger("get", Route = "a")] HttpRequest req) => Results.Ok();
                [Function("Same")] public IResult Second([HttpTrigger("get", Route = "b")] HttpRequest req) => Results.Ok();
            }
            """);
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("FATHOM001", diagnostic.Id);
        Assert.Equal("Two functions are named 'Same'.", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        var span = diagnostic.Location.SourceSpan;
        Assert.Equal("First", run.Source.Substring(span.Start, span.Length));
    }

    [Fact]
    public void An_attribute_that_only_shares_a_trigger_name_is_not_a_trigger()
        => Run("""
            namespace Mine { [AttributeUsage(AttributeTargets.Parameter)] public sealed class HttpTriggerAttribute(string method) : Attribute; }
            public class F { [Function("Bad")] public IResult LookAlike([Mine.HttpTrigger("get")] HttpRequest req) => Results.Ok(); }
            """).AssertSingleError("LookAlike", "Function 'Bad': parameter 'req' of type global::Microsoft.AspNetCore.Http.HttpRequest cannot be bound (use a route value of type string, Guid, int or long, [FromBody], FunctionContext or CancellationToken).");
}
