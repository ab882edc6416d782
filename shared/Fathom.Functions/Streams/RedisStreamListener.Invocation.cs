using System.Diagnostics;
using Fathom.Functions.Hosting;
using Fathom.Functions.Middleware;
using Fathom.Redis.Streams;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fathom.Functions.Streams;

public sealed partial class RedisStreamListener
{
    /// <summary>
    /// One delivery of one entry: a consumer span, child of the span that wrote the entry (its trace context travels in
    /// the entry), so one trace runs from the request that queued the work to the work done. Acknowledged only once the
    /// function succeeded; a failure stays pending and is retried after the visibility timeout, or goes to the dead
    /// letters on its last delivery; a call cut short by shutdown is released for another consumer.
    /// </summary>
    private sealed class Invocation(RedisStreamListener listener, StreamFunctionDescriptor function, ILogger logger, IDatabase db, StreamEntry entry, int deliveries)
        : TriggerInvocation
    {

        public override string Type => "pubsub";

        internal override ActivityKind SpanKind => ActivityKind.Consumer;

        internal override ActivityContext SpanParent => StreamTraceContext.Read(entry);

        internal override void TagSpan(Activity activity)
        {
            activity.SetTag("messaging.destination.name", function.StreamKey);
            activity.SetTag("messaging.consumer.group.name", function.Group);
            activity.SetTag("messaging.message.id", entry.Id.ToString());
            activity.SetTag("fathom.delivery_count", deliveries);
        }

        internal override string FailureOutcome(Exception exception) => listener._abort.IsCancellationRequested ? InvocationOutcome.Released : InvocationOutcome.Failure;

        internal override async Task InvokeAsync(FunctionContext context)
        {
            await function.Invoke(entry, context);
            await db.StreamAcknowledgeAsync(function.StreamKey, function.Group, entry.Id);
        }

        internal override async ValueTask<bool> OnFailedAsync(FunctionContext context, Exception exception, string outcome)
        {
            if (outcome == InvocationOutcome.Released)
            {
                LogReleased(logger, exception, function.Name, entry.Id.ToString());
                return true;
            }
            LogFailed(logger, exception, function.Name, entry.Id.ToString(), deliveries, listener._options.MaxDeliveries);
            if (context.IsLastDelivery)
            {
                await listener.DeadLetterAsync(db, entry, deliveries, exception.Message);
            }
            // Otherwise it stays pending and is retried once the visibility timeout has passed.
            return true;
        }
    }
}
