namespace Fathom.Functions.Generators.Tests;

/// <summary>What the generator writes for valid functions: one descriptor each, its binding as plain code.</summary>
public sealed class RegistrationTests
{
    private const string Functions = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Fathom.Functions;
        using Microsoft.AspNetCore.Http;
        using Microsoft.AspNetCore.Http.HttpResults;
        using StackExchange.Redis;

        namespace App;

        public sealed record Note(string Title);

        public class Notes
        {
            [Function("GetNote")]
            [RequiredScope("read")]
            public Task<Results<Ok<Note>, NotFound>> Get([HttpTrigger(AuthorizationLevel.User, "get", Route = "notes/{id}")] HttpRequest req, Guid id, CancellationToken ct)
                => Task.FromResult<Results<Ok<Note>, NotFound>>(TypedResults.NotFound());

            [Function("AddNote")]
            public IResult Add([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "notes")] HttpRequest req, [FromBody] Note note, FunctionContext context) => Results.Ok();
        }

        public static class Jobs
        {
            [Function("Ingest")]
            public static Task Ingest([RedisStreamTrigger("RedisConnection", "%IngestStream%", ConsumerGroup = "ingestion", MaxBatchSize = 4)] StreamEntry entry, FunctionContext context) => Task.CompletedTask;

            [Function("Sweep")]
            public static Task Sweep([TimerTrigger("0 */5 * * * *", RunOnStartup = true)] TimerInfo timer, CancellationToken ct) => Task.CompletedTask;
        }
        """;

    [Fact]
    public void Valid_functions_are_registered_in_name_order_with_their_triggers_and_binding()
    {
        var run = GeneratorRun.Of(Functions);

        Assert.Empty(run.Diagnostics);
        var code = Assert.IsType<string>(run.Generated);
        Assert.Contains("builder.Services.TryAddScoped<global::App.Notes>();", code, StringComparison.Ordinal);
        Assert.DoesNotContain("TryAddScoped<global::App.Jobs>", code, StringComparison.Ordinal);
        Assert.Equal(
            ["AddNote", "GetNote", "Ingest", "Sweep"],
            code.Split('\n').Where(l => l.TrimStart().StartsWith("new global::Fathom.Functions.", StringComparison.Ordinal)).Select(l => l.Split('"')[1]));

        Assert.Contains("""new global::Fathom.Functions.HttpFunctionDescriptor("GetNote", new[] { "GET" }, "notes/{id}", global::Fathom.Functions.AuthorizationLevel.User, static async http =>""", code, StringComparison.Ordinal);
        Assert.Contains("""if (!global::Fathom.Functions.FunctionBinding.RouteGuid(http, "id", out var @id)) { await global::Fathom.Functions.FunctionBinding.WriteNotFoundAsync(http); return; }""", code, StringComparison.Ordinal);
        Assert.Contains("await global::Fathom.Functions.FunctionBinding.AsTask(http.RequestServices.GetRequiredService<global::App.Notes>().Get(http.Request, @id, http.RequestAborted));", code, StringComparison.Ordinal);
        Assert.Contains("""}, "read", null, global::Fathom.Functions.OpenApi.ResultMetadata.Of<global::Microsoft.AspNetCore.Http.HttpResults.Results<global::Microsoft.AspNetCore.Http.HttpResults.Ok<global::App.Note>, global::Microsoft.AspNetCore.Http.HttpResults.NotFound>>),""", code, StringComparison.Ordinal);

        Assert.Contains("var (@noteOk, @note) = await global::Fathom.Functions.FunctionBinding.ReadBodyAsync<global::App.Note>(http);", code, StringComparison.Ordinal);
        Assert.Contains("""Add(http.Request, @note!, global::Fathom.Functions.FunctionContext.ForHttp("AddNote", http))""", code, StringComparison.Ordinal);
        Assert.Contains("}, null, typeof(global::App.Note), null),", code, StringComparison.Ordinal);

        Assert.Contains("""new global::Fathom.Functions.StreamFunctionDescriptor("Ingest", "RedisConnection", "%IngestStream%", "ingestion", 4, static async (entry, context) => await global::App.Jobs.Ingest(entry, context)),""", code, StringComparison.Ordinal);
        Assert.Contains("""new global::Fathom.Functions.TimerFunctionDescriptor("Sweep", "0 */5 * * * *", true, static async (timer, context) => await global::App.Jobs.Sweep(timer, context.CancellationToken)),""", code, StringComparison.Ordinal);
    }
}
