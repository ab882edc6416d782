using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Fathom.Functions.Hosting;

/// <summary>
/// Invocations of queue and timer functions, by function and outcome (HTTP functions are counted by ASP.NET Core's
/// own <c>http.server.request.duration</c>), when each timer last ran and is next due, and each trigger stream's
/// backlog and dead letters. Scraped at <c>/metrics</c>; k8s/monitoring's alerts are written against these names.
/// </summary>
public sealed class FunctionMetrics
{
    public const string MeterName = "Fathom.Functions";

    private readonly Counter<long> _invocations;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<string, (double Last, double Next)> _timers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Stream, string Group), StreamSample> _streams = new();

    public FunctionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _invocations = meter.CreateCounter<long>("fathom.function.invocations", description: "Function invocations by outcome: success, failure (will be retried), dead_letter, released (shutdown).");
        _duration = meter.CreateHistogram<double>("fathom.function.duration", unit: "s", description: "Time spent in a function invocation.");
        // Exported as fathom_timer_last_run_timestamp_seconds / fathom_timer_next_run_timestamp_seconds (Unix time).
        meter.CreateObservableGauge("fathom.timer.last_run_timestamp", () => _timers.Select(t => Timer(t.Key, t.Value.Last)), unit: "s", description: "When this process last ran the timer function (Unix seconds).");
        meter.CreateObservableGauge("fathom.timer.next_run_timestamp", () => _timers.Select(t => Timer(t.Key, t.Value.Next)), unit: "s", description: "When the timer function is next due, as of its last run (Unix seconds); past it by minutes means a missed run.");
        // Exported as fathom_stream_lag, fathom_stream_pending and fathom_stream_dead_letters.
        meter.CreateObservableGauge("fathom.stream.lag", () => Streams(s => s.Lag), description: "Stream entries not yet delivered to the trigger's consumer group.");
        meter.CreateObservableGauge("fathom.stream.pending", () => Streams(s => s.Pending), description: "Stream entries delivered to the group but not acknowledged.");
        meter.CreateObservableGauge("fathom.stream.dead_letters", () => Streams(s => s.DeadLetters), description: "Entries in the stream's dead-letter stream.");
    }

    public void Record(string function, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "function", function }, { "outcome", outcome } };
        _invocations.Add(1, tags);
        if (elapsed > TimeSpan.Zero)
        {
            _duration.Record(elapsed.TotalSeconds, tags);
        }
    }

    /// <summary>A timer occurrence ran here (whatever its outcome: a failure is counted by <see cref="Record"/>).</summary>
    public void TimerRan(string function, DateTimeOffset ranAt, DateTimeOffset next)
        => _timers[function] = (ranAt.ToUnixTimeMilliseconds() / 1000.0, next == DateTimeOffset.MaxValue ? double.NaN : next.ToUnixTimeMilliseconds() / 1000.0);

    public void StreamSampled(string stream, string group, StreamSample sample) => _streams[(stream, group)] = sample;

    private static Measurement<double> Timer(string function, double value) => new(value, new KeyValuePair<string, object?>("function", function));

    private IEnumerable<Measurement<long>> Streams(Func<StreamSample, long> value)
        => _streams.Select(s => new Measurement<long>(value(s.Value), new KeyValuePair<string, object?>("stream", s.Key.Stream), new KeyValuePair<string, object?>("group", s.Key.Group)));
}

/// <summary>A stream's backlog as XINFO GROUPS reports it, and its dead letters' count.</summary>
public readonly record struct StreamSample(long Lag, long Pending, long DeadLetters);
