using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Fathom.Functions.Hosting;

/// <summary>
/// One log line per entry: plain text for a person at a terminal, or JSON lines for a collector when
/// <c>Logging__Console__FormatterName=json</c> (the k8s manifests set it), each carrying the current trace and span id.
/// </summary>
internal static class ConsoleFormat
{
    public const string FormatterSetting = "Logging:Console:FormatterName";

    public static ILoggingBuilder AddConsoleFormat(this ILoggingBuilder logging, IConfiguration configuration)
    {
        // Trace and span ids land in every entry's scopes; they are what ties a log line to its trace.
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // AddSimpleConsole/AddJsonConsole each pin the formatter name, so the setting is honoured by choosing here.
        if (string.Equals(configuration[FormatterSetting], ConsoleFormatterNames.Json, StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        return logging;
    }
}
