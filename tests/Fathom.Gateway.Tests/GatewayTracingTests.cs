using Fathom.Testing;
using Kind = Fathom.Testing.ReceivedSpan.SpanKind;

namespace Fathom.Gateway.Tests;

/// <summary>
/// One OTLP setting given to the gateway traces the whole local product: the gateway and the apps it starts export
/// to one receiver, and an upload through the gateway is one trace from the gateway's server span through Knowledge,
/// its Redis XADD, the stream and every ingestion step.
/// </summary>
public sealed class GatewayTracingTests : GatewayFixture
{
    private const string RedisScope = "OpenTelemetry.Instrumentation.StackExchangeRedis";
    private static readonly string[] Steps = ["extract", "partition", "embed-and-save", "finish"];

    [Fact]
    public async Task An_upload_through_the_gateway_is_one_trace_from_the_gateway_span_to_the_last_ingestion_step()
    {
        await using var receiver = new OtlpTraceReceiver();
        var stream = $"test:ingest:{Guid.NewGuid():N}";
        // The gateway's name only: each app it starts must still name its spans itself.
        Dictionary<string, string> settings = new(receiver.Settings()) { ["IngestStream"] = stream, ["OTEL_SERVICE_NAME"] = "fathom-gateway" };
        var (gateway, client) = await StartAsync("Eager", "Knowledge,Ingestion", extra: settings);
        await using (gateway)
        using (client)
        {
            var (collection, document) = await UploadAsync(client, "Traced through the gateway", "tides.txt", "Tides rise and fall twice a day, pulled by the moon.");
            await WaitCompleteAsync(client, collection, document, TimeSpan.FromSeconds(90));

            var uploadPath = $"/api/collections/{collection}/documents";
            // The gateway's span, Knowledge's XADD and Ingestion's last step are each exported by a different process.
            var spans = await receiver.WaitForAsync(
                all => all.Any(s => s is { Service: "fathom-gateway", Kind: Kind.Server } && s["url.path"] == uploadPath)
                       && all.Any(s => s is { Service: "Knowledge", Scope: RedisScope } && s["db.operation.name"] == "XADD")
                       && all.Any(s => s is { Service: "Ingestion", Name: "IngestDocument" })
                       && Steps.All(step => all.Any(s => s.Service == "Ingestion" && s.Name == step)),
                TimeSpan.FromSeconds(60));

            // The gateway's server span is the root of the trace.
            var root = Assert.Single(spans, s => s is { Service: "fathom-gateway", Kind: Kind.Server } && s["http.request.method"] == "POST" && s["url.path"] == uploadPath);
            Assert.Equal("", root.ParentSpanId);
            var trace = spans.Where(s => s.TraceId == root.TraceId).ToList();
            var byId = trace.ToDictionary(s => s.SpanId);

            // Knowledge's server span is a child of the gateway's call to it: the traceparent the gateway forwarded is its own.
            var knowledge = Assert.Single(trace, s => s is { Service: "Knowledge", Kind: Kind.Server } && s["url.path"] == uploadPath);
            var forwarded = byId[knowledge.ParentSpanId];
            Assert.Equal(("fathom-gateway", Kind.Client), (forwarded.Service, forwarded.Kind));
            Assert.Contains(root, Ancestors(forwarded, byId));
            Assert.Contains(trace, s => s is { Service: "fathom-gateway", Scope: "Yarp.ReverseProxy" });

            // Knowledge's function span, and the XADD inside the producer span that queued the document.
            var function = Assert.Single(trace, s => s is { Service: "Knowledge", Scope: "Fathom.Functions", Name: "UploadDocuments" });
            Assert.Equal(knowledge.SpanId, function.ParentSpanId);
            var producer = Assert.Single(trace, s => s is { Service: "Knowledge", Kind: Kind.Producer } && s["messaging.destination.name"] == stream);
            Assert.Contains(knowledge, Ancestors(producer, byId));
            var xadd = Assert.Single(trace, s => s is { Service: "Knowledge", Scope: RedisScope, Kind: Kind.Client } && s["db.operation.name"] == "XADD");
            Assert.Equal(producer.SpanId, xadd.ParentSpanId);
            Assert.Equal("redis", xadd["db.system.name"]);
            Assert.Equal("127.0.0.1", xadd["server.address"]);

            // The stream trigger continues the trace; each step is a child of the invocation; its XACK is traced too.
            var invocation = Assert.Single(trace, s => s is { Service: "Ingestion", Scope: "Fathom.Functions", Name: "IngestDocument", Kind: Kind.Consumer });
            Assert.Equal(producer.SpanId, invocation.ParentSpanId);
            foreach (var step in Steps)
            {
                Assert.Equal(invocation.SpanId, Assert.Single(trace, s => s.Service == "Ingestion" && s.Name == step).ParentSpanId);
            }
            await receiver.WaitForAsync(all => all.Any(s => s is { Service: "Ingestion", Scope: RedisScope } && s["db.operation.name"] == "XACK" && s.ParentSpanId == invocation.SpanId), TimeSpan.FromSeconds(30));

            // Every span of the product came from one of the three processes, named as each names itself.
            Assert.Equal(["Ingestion", "Knowledge", "fathom-gateway"], trace.Select(s => s.Service).Distinct().Order(StringComparer.Ordinal));
            // Redis commands made outside any traced work (the trigger polling an empty stream) are not traces of their own.
            Assert.DoesNotContain(receiver.Spans, s => s.Scope == RedisScope && s.ParentSpanId == "");
        }
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
