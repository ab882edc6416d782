using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Fathom.Functions.Hosting;

/// <summary>
/// Invocations of queue and timer functions, by function and outcome (HTTP functions are counted by ASP.NET Core's
/// own <c>http.server.request.duration</c>). Scraped at <c>/metrics</c>.
/// </summary>
public sealed class FunctionMetrics
{
    public const string MeterName = "Fathom.Functions";

    private readonly Counter<long> _invocations;
    private readonly Histogram<double> _duration;

    public FunctionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _invocations = meter.CreateCounter<long>("fathom.function.invocations", description: "Function invocations by outcome: success, failure (will be retried), dead_letter, released (shutdown).");
        _duration = meter.CreateHistogram<double>("fathom.function.duration", unit: "s", description: "Time spent in a function invocation.");
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
}
