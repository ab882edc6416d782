using System.Net.Http.Headers;
using Fathom.Testing;
using static Knowledge.Functions.Tests.KnowledgeFixture;
using Kind = Fathom.Testing.ReceivedSpan.SpanKind;

namespace Knowledge.Functions.Tests;

/// <summary>
/// One upload, followed through both apps by its trace: Knowledge and Ingestion run here with the standard OTLP
/// settings pointed at a receiver in the test, on a stream of their own.
/// </summary>
[Collection(KnowledgeCollection.Name)]
public sealed class TracingTests(KnowledgeFixture fixture)
{
    private static readonly string[] Steps = ["extract", "partition", "embed-and-save", "finish"];

    [Fact]
    public async Task One_trace_runs_from_the_upload_request_through_the_stream_to_every_ingestion_step()
    {
        await using var receiver = new OtlpTraceReceiver();
        var settings = new Dictionary<string, string>(fixture.Settings) { ["IngestStream"] = $"test:ingest:{Guid.NewGuid():N}" };
        foreach (var (key, value) in receiver.Settings())
        {
            settings[key] = value;
        }
        await using var knowledge = await FunctionAppProcess.StartAsync("Knowledge", settings);
        await using var ingestion = await FunctionAppProcess.StartAsync("Ingestion", new Dictionary<string, string>(settings) { ["Logging__Console__FormatterName"] = "json" });

        using var client = new HttpClient { BaseAddress = knowledge.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Identity.Token(fixture.Alice));
        var collection = await CreateCollectionAsync(client, "Traced");
        var document = (await UploadAsync(client, collection, ("tides.txt", SampleDocuments.Text("Tides rise and fall twice a day, pulled by the moon."))))[0].Id;
        Assert.Equal("COMPLETE", (await WaitSettledAsync(client, collection, document)).Status);

        // Spans arrive as each app's batch is exported; the invocation span ends last (after the entry is acknowledged).
        var spans = await receiver.WaitForAsync(
            all => all.Any(s => s is { Service: "Ingestion", Name: "IngestDocument" }) && Steps.All(step => all.Any(s => s.Service == "Ingestion" && s.Name == step)),
            TimeSpan.FromSeconds(30));

        var upload = Assert.Single(spans, s => s is { Service: "Knowledge", Kind: Kind.Server } && s["http.request.method"] == "POST" && s["url.path"] == $"/api/collections/{collection}/documents");
        var trace = spans.Where(s => s.TraceId == upload.TraceId).ToList();
        var byId = trace.ToDictionary(s => s.SpanId);

        // The HTTP function's own span sits inside the request span.
        var uploadFunction = Assert.Single(trace, s => s is { Scope: "Fathom.Functions", Name: "UploadDocuments" });
        Assert.Equal(upload.SpanId, uploadFunction.ParentSpanId);
        Assert.Equal("http", uploadFunction["faas.trigger"]);

        // The stream function continues the trace of the span that queued the entry, which descends from the upload.
        var invocation = Assert.Single(trace, s => s is { Service: "Ingestion", Scope: "Fathom.Functions", Name: "IngestDocument", Kind: Kind.Consumer });
        var producer = byId[invocation.ParentSpanId];
        Assert.Equal((Kind.Producer, "Knowledge"), (producer.Kind, producer.Service));
        Assert.Contains(upload, Ancestors(producer, byId));

        // One span per step, each a child of the invocation, in the same trace.
        foreach (var step in Steps)
        {
            var span = Assert.Single(trace, s => s.Service == "Ingestion" && s.Name == step);
            Assert.Equal(invocation.SpanId, span.ParentSpanId);
            Assert.Equal(document.ToString(), span["fathom.document.id"]);
        }
        Assert.Equal(Steps.Length, trace.Count(s => s.Scope == "Fathom.Ingestion"));

        // Npgsql's command spans join the same trace on both sides (the chunks written, the document recorded).
        Assert.Contains(trace, s => s is { Service: "Ingestion", Scope: "Npgsql" } && Ancestors(s, byId).Contains(invocation));
        Assert.Contains(trace, s => s is { Service: "Knowledge", Scope: "Npgsql" } && Ancestors(s, byId).Contains(upload));

        // The ingestion logs carry the trace id as JSON lines.
        Assert.Contains(ingestion.Output.Split('\n'), line => line.StartsWith('{') && line.Contains($"\"TraceId\":\"{upload.TraceId}\"", StringComparison.Ordinal) && line.Contains(document.ToString(), StringComparison.Ordinal));
    }

    private static IEnumerable<ReceivedSpan> Ancestors(ReceivedSpan span, Dictionary<string, ReceivedSpan> byId)
    {
        var current = span;
        while (byId.TryGetValue(current.ParentSpanId, out var parent))
        {
            yield return parent;
            current = parent;
        }
    }
}
