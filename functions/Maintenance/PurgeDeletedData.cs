using Fathom.Functions;
using Fathom.Knowledge.Stores;
using Microsoft.Extensions.Options;

namespace Maintenance.Functions;

/// <summary>Removes rows (and uploaded bytes) of documents and collections deleted longer ago than PurgeAfter.</summary>
public sealed partial class PurgeDeletedData(DocumentStore documents, ChunkStore chunks, IOptions<MaintenanceOptions> options, ILogger<PurgeDeletedData> logger)
{
    [Function(nameof(PurgeDeletedData))]
    public async Task Run([TimerTrigger("%Maintenance:PurgeSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var (purgedDocuments, collections) = await documents.PurgeAsync(options.Value.PurgeAfter, ct);
        foreach (var collection in collections)
        {
            // Dropped at delete time already; again here in case that call failed.
            await chunks.DropCollectionAsync(collection, ct);
        }
        LogPurged(logger, purgedDocuments, collections.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Documents} documents and {Collections} collections")]
    private static partial void LogPurged(ILogger logger, int documents, int collections);
}
