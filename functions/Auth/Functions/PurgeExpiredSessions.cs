using Fathom.Functions;
using Microsoft.Extensions.Logging;

namespace Auth.Functions;

/// <summary>
/// Deletes refresh tokens a day past their expiry: by then no client can present them, and reuse detection has
/// nothing left to protect. Auth scales to zero, so a run missed while it slept is made up once when it next starts.
/// </summary>
public sealed partial class PurgeExpiredSessions(SessionStore sessions, TimeProvider time, ILogger<PurgeExpiredSessions> logger)
{
    public const string Schedule = "0 17 * * * *";
    public static readonly TimeSpan Grace = TimeSpan.FromDays(1);

    [Function(nameof(PurgeExpiredSessions))]
    public async Task Run([TimerTrigger("%Auth:PurgeSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var purged = await sessions.PurgeExpiredAsync(time.GetUtcNow() - Grace, ct);
        LogPurged(logger, purged);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired refresh tokens")]
    private static partial void LogPurged(ILogger logger, int count);
}
