using System.Diagnostics;
using Fathom.Redis.Streams;
using Fathom.Knowledge.Stores;
using StackExchange.Redis;

namespace Fathom.Knowledge.Stores.Tests;

/// <summary>The stream entry carries the writer's W3C trace context, and only a valid one is continued.</summary>
public sealed class IngestMessageTests
{
    [Fact]
    public void The_current_trace_context_is_written_and_read_back_as_the_consumer_parent()
    {
        using var writer = new Activity("upload").SetIdFormat(ActivityIdFormat.W3C).Start();
        writer.TraceStateString = "vendor=1";

        var message = new IngestMessage(Guid.NewGuid(), Guid.NewGuid(), 3).WithCurrentTrace();
        var entry = new StreamEntry("1-0", message.ToEntry());

        Assert.Equal(message, IngestMessage.Parse(entry));
        Assert.Equal(writer.Id, message.TraceParent);
        var parent = StreamTraceContext.Read(entry);
        Assert.Equal((writer.TraceId, writer.SpanId, "vendor=1", true), (parent.TraceId, parent.SpanId, parent.TraceState, parent.IsRemote));
    }

    [Fact]
    public void Outside_a_trace_the_entry_has_no_trace_fields_and_a_malformed_one_starts_a_new_trace()
    {
        Assert.Null(Activity.Current);
        var message = new IngestMessage(Guid.NewGuid(), Guid.NewGuid(), 1).WithCurrentTrace();
        Assert.DoesNotContain(message.ToEntry(), f => f.Name == StreamTraceContext.TraceParentField);
        Assert.Equal(default, StreamTraceContext.Read(new StreamEntry("1-0", message.ToEntry())));

        var forged = new StreamEntry("2-0", [.. message.ToEntry(), new NameValueEntry(StreamTraceContext.TraceParentField, "00-not-a-trace-01")]);
        Assert.Equal(default, StreamTraceContext.Read(forged));
        Assert.NotNull(IngestMessage.Parse(forged));
    }
}
