using Fathom.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Fathom.Knowledge.Stores;

/// <summary>The Redis stream that carries ingestion work from the Knowledge app to the Ingestion app.</summary>
public sealed class IngestQueue(RedisConnections redis, IConfiguration configuration)
{
    /// <summary>Setting that names the stream; KEDA's redis-streams scaler watches the same one.</summary>
    public const string StreamSetting = "IngestStream";
    public const string DefaultStream = "fathom:ingest";
    public const string ConsumerGroup = "ingestion";

    public string Stream => configuration[StreamSetting] ?? DefaultStream;

    public async Task EnqueueAsync(Guid documentId, Guid collectionId, int version)
    {
        var db = (await redis.GetAsync()).GetDatabase();
        await db.StreamAddAsync(Stream,
        [
            new NameValueEntry("documentId", documentId.ToString()),
            new NameValueEntry("collectionId", collectionId.ToString()),
            new NameValueEntry("version", version),
        ]);
    }

    public static (Guid DocumentId, Guid CollectionId, int Version)? Read(StreamEntry entry)
        => Guid.TryParse(entry["documentId"].ToString(), out var documentId)
           && Guid.TryParse(entry["collectionId"].ToString(), out var collectionId)
           && int.TryParse(entry["version"].ToString(), out var version)
            ? (documentId, collectionId, version)
            : null;
}
