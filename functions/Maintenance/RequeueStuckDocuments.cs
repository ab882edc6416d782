using Fathom.Functions;
using Fathom.Knowledge.Stores;
using Microsoft.Extensions.Options;

namespace Maintenance.Functions;

/// <summary>
/// Re-queues documents stuck in PENDING (the queue entry was never written) or RUNNING (the worker died
/// and its entry was dead-lettered or trimmed). Ingestion is idempotent, so a spare entry costs nothing.
/// </summary>
public sealed partial class RequeueStuckDocuments(DocumentStore documents, IngestQueue queue, IOptions<MaintenanceOptions> options, ILogger<RequeueStuckDocuments> logger)
{
    [Function(nameof(RequeueStuckDocuments))]
    public async Task Run([TimerTrigger("%Maintenance:RequeueSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var stuck = await documents.StuckAsync(options.Value.StuckAfter, 500, ct);
        foreach (var (id, collectionId, version) in stuck)
        {
            await queue.EnqueueAsync(new IngestMessage(id, collectionId, version));
        }
        if (stuck.Count > 0)
        {
            LogRequeued(logger, stuck.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-queued {Count} stuck documents")]
    private static partial void LogRequeued(ILogger logger, int count);
}
