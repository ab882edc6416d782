using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;

namespace Fathom.Testing;

/// <summary>One span as an app exported it.</summary>
public sealed record ReceivedSpan(
    string Service,
    string Scope,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    ReceivedSpan.SpanKind Kind,
    IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>OTLP's <c>Span.SpanKind</c>.</summary>
    public enum SpanKind
    {
        Unspecified,
        Internal,
        Server,
        Client,
        Producer,
        Consumer,
    }

    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);
}

/// <summary>
/// A collector's OTLP/HTTP trace endpoint on loopback (<c>POST /v1/traces</c>, protobuf), so tests can point apps
/// that run as separate processes at it with the standard <c>OTEL_EXPORTER_OTLP_*</c> settings and read their spans.
/// Decodes just the fields of <c>ExportTraceServiceRequest</c> tests look at.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly Task _serving;

    public OtlpTraceReceiver()
    {
        Port = FunctionAppProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    /// <summary>The value for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the exporter appends <c>/v1/traces</c>).</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Settings that make an app export its spans here, promptly.</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("OTEL_EXPORTER_OTLP_ENDPOINT", Endpoint),
        new("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        new("OTEL_BSP_SCHEDULE_DELAY", "100"),
    ];

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>Polls the spans received so far until <paramref name="complete"/> holds.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> complete, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var spans = Spans;
            if (complete(spans))
            {
                return spans;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"The spans expected did not arrive in {timeout}; received:\n" + string.Join('\n', spans.Select(s => $"{s.Service} {s.Scope} {s.Name} {s.TraceId}/{s.SpanId}<-{s.ParentSpanId} {string.Join(",", s.Attributes.Select(a => a.Key + "=" + a.Value))}")));
            }
            await Task.Delay(100);
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                var body = new MemoryStream();
                var input = context.Request.Headers["Content-Encoding"] == "gzip"
                    ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress)
                    : context.Request.InputStream;
                await input.CopyToAsync(body);
                if (context.Request.Url?.AbsolutePath == "/v1/traces")
                {
                    foreach (var span in Decode(body.ToArray()))
                    {
                        _spans.Enqueue(span);
                    }
                    context.Response.StatusCode = 200;
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
                // An empty body is an empty ExportTraceServiceResponse: everything accepted.
                context.Response.ContentType = "application/x-protobuf";
            }
            catch (Exception ex) when (ex is InvalidDataException or ArgumentOutOfRangeException)
            {
                context.Response.StatusCode = 400;
            }
            context.Response.Close();
        }
    }

    /// <summary>ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }</summary>
    public static List<ReceivedSpan> Decode(ReadOnlyMemory<byte> request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in Protobuf.Fields(request).Where(f => f.Number == 1))
        {
            // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
            var service = "";
            foreach (var field in Protobuf.Fields(resourceSpans.Bytes))
            {
                if (field.Number == 1)
                {
                    // Resource { repeated KeyValue attributes = 1; }
                    service = Attributes(field.Bytes).GetValueOrDefault("service.name", "");
                }
            }
            foreach (var scopeSpans in Protobuf.Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
            {
                // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }; InstrumentationScope { string name = 1; }
                var scope = Protobuf.Fields(scopeSpans.Bytes).Where(f => f.Number == 1)
                    .SelectMany(s => Protobuf.Fields(s.Bytes)).Where(f => f.Number == 1).Select(f => f.Text).FirstOrDefault() ?? "";
                foreach (var span in Protobuf.Fields(scopeSpans.Bytes).Where(f => f.Number == 2))
                {
                    spans.Add(DecodeSpan(service, scope, span.Bytes));
                }
            }
        }
        return spans;
    }

    /// <summary>Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; repeated KeyValue attributes = 9; }</summary>
    private static ReceivedSpan DecodeSpan(string service, string scope, ReadOnlyMemory<byte> span)
    {
        string traceId = "", spanId = "", parentId = "", name = "";
        var kind = ReceivedSpan.SpanKind.Unspecified;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in Protobuf.Fields(span))
        {
            switch (field.Number)
            {
                case 1: traceId = Convert.ToHexStringLower(field.Bytes.Span); break;
                case 2: spanId = Convert.ToHexStringLower(field.Bytes.Span); break;
                case 4: parentId = Convert.ToHexStringLower(field.Bytes.Span); break;
                case 5: name = field.Text; break;
                case 6: kind = (ReceivedSpan.SpanKind)field.Varint; break;
                case 9:
                    foreach (var (key, value) in Attributes(field.Bytes, single: true))
                    {
                        attributes[key] = value;
                    }
                    break;
            }
        }
        return new ReceivedSpan(service, scope, traceId, spanId, parentId, name, kind, attributes);
    }

    /// <summary>Repeated KeyValue { string key = 1; AnyValue value = 2; } at field 1, or one KeyValue itself.</summary>
    private static Dictionary<string, string> Attributes(ReadOnlyMemory<byte> message, bool single = false)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var keyValues = single ? [message] : Protobuf.Fields(message).Where(f => f.Number == 1).Select(f => f.Bytes).ToList();
        foreach (var keyValue in keyValues)
        {
            string key = "", value = "";
            foreach (var field in Protobuf.Fields(keyValue))
            {
                if (field.Number == 1)
                {
                    key = field.Text;
                }
                else if (field.Number == 2)
                {
                    // AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; }
                    foreach (var any in Protobuf.Fields(field.Bytes))
                    {
                        value = any.Number switch
                        {
                            1 => any.Text,
                            2 => any.Varint != 0 ? "true" : "false",
                            3 => ((long)any.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            4 => BitConverter.UInt64BitsToDouble(any.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            _ => value,
                        };
                    }
                }
            }
            attributes[key] = value;
        }
        return attributes;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }

    /// <summary>The protobuf wire format, as far as reading OTLP needs it.</summary>
    private static class Protobuf
    {
        public readonly record struct Field(int Number, ulong Varint, ReadOnlyMemory<byte> Bytes)
        {
            public string Text => Encoding.UTF8.GetString(Bytes.Span);
        }

        public static List<Field> Fields(ReadOnlyMemory<byte> message)
        {
            var fields = new List<Field>();
            var span = message.Span;
            var at = 0;
            while (at < span.Length)
            {
                var tag = ReadVarint(span, ref at);
                var number = (int)(tag >> 3);
                switch (tag & 7)
                {
                    case 0:
                        fields.Add(new(number, ReadVarint(span, ref at), default));
                        break;
                    case 1:
                        fields.Add(new(number, BitConverter.ToUInt64(span.Slice(at, 8)), default));
                        at += 8;
                        break;
                    case 2:
                        var length = (int)ReadVarint(span, ref at);
                        if (length < 0 || at + length > span.Length)
                        {
                            throw new InvalidDataException("A length-delimited field runs past the message.");
                        }
                        fields.Add(new(number, 0, message.Slice(at, length)));
                        at += length;
                        break;
                    case 5:
                        fields.Add(new(number, BitConverter.ToUInt32(span.Slice(at, 4)), default));
                        at += 4;
                        break;
                    default:
                        throw new InvalidDataException($"Wire type {tag & 7} is not one OTLP uses.");
                }
            }
            return fields;
        }

        private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int at)
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (at >= span.Length)
                {
                    throw new InvalidDataException("A varint runs past the message.");
                }
                var b = span[at++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }
            throw new InvalidDataException("A varint is longer than 10 bytes.");
        }
    }
}
