using System.Globalization;
using Fathom.Functions.Hosting;
using Fathom.Functions.Middleware;
using Microsoft.Extensions.Logging;

namespace Fathom.Functions.Timers;

public sealed partial class TimerListener
{
    /// <summary>
    /// One occurrence's run. A failure is logged and not retried; cancellation because the host stops is no failure
    /// of the function: it passes through the pipeline untouched (no error span, no count) and stops the listener.
    /// </summary>
    private sealed class Invocation(
        TimerFunctionDescriptor function,
        ILogger logger,
        DateTimeOffset occurrence,
        bool pastDue,
        ScheduleStatus? status,
        CancellationToken stoppingToken) : TriggerInvocation
    {
        public override string Type => "timer";

        internal override void TagSpan(System.Diagnostics.Activity activity)
        {
            activity.SetTag("faas.cron", function.Schedule);
            activity.SetTag("faas.time", occurrence.ToString("O", CultureInfo.InvariantCulture));
            activity.SetTag("fathom.past_due", pastDue);
        }

        internal override string? FailureOutcome(Exception exception)
            => exception is OperationCanceledException && stoppingToken.IsCancellationRequested ? null : InvocationOutcome.Failure;

        internal override Task InvokeAsync(FunctionContext context)
            => function.Invoke(new TimerInfo { IsPastDue = pastDue, ScheduleStatus = status }, context);

        internal override void OnSucceeded(FunctionContext context) => LogRan(logger, function.Name, occurrence, pastDue);

        internal override ValueTask<bool> OnFailedAsync(FunctionContext context, Exception exception, string outcome)
        {
            LogFailed(logger, exception, function.Name, occurrence);
            return ValueTask.FromResult(true);
        }
    }
}
