using Fathom.Functions.Hosting;
using Microsoft.Extensions.Configuration;

namespace Fathom.Knowledge.Stores;

/// <summary>The Redis stream that carries ingestion work from the Knowledge and Posts apps to the Ingestion app.</summary>
public sealed class IngestQueue(RedisConnections redis, IConfiguration configuration)
{
    /// <summary>Setting that names the stream; KEDA's redis-streams scaler watches the same one.</summary>
    public const string StreamSetting = "IngestStream";
    public const string DefaultStream = "fathom:ingest";

    /// <summary>The stream trigger's key: <see cref="StreamSetting"/>'s value, resolved when the host starts.</summary>
    public const string StreamKey = "%IngestStream%";

    /// <summary>The group the Ingestion app reads in; KEDA measures the same group's lag.</summary>
    public const string ConsumerGroup = "ingestion";

    /// <summary>Setting that holds the Redis the stream lives on, for writers and the trigger alike.</summary>
    public const string RedisSetting = RedisConnections.DefaultSetting;

    public string Stream => configuration[StreamSetting] ?? DefaultStream;

    public async Task EnqueueAsync(IngestMessage message)
    {
        var db = (await redis.GetAsync(RedisSetting)).GetDatabase();
        await db.StreamAddAsync(Stream, message.ToEntry());
    }
}
