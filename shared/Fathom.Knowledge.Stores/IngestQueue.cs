using System.Diagnostics;
using Fathom.Redis;
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

    public const string ActivitySourceName = "Fathom.Knowledge.Stores";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Adds the entry inside a producer span, whose context the entry carries to the ingestion span.</summary>
    public async Task EnqueueAsync(IngestMessage message)
    {
        var stream = Stream;
        using var activity = Source.StartActivity($"send {stream}", ActivityKind.Producer);
        activity?.SetTag("messaging.destination.name", stream);
        var db = (await redis.GetAsync(RedisSetting)).GetDatabase();
        var id = await db.StreamAddAsync(stream, message.WithCurrentTrace().ToEntry());
        activity?.SetTag("messaging.message.id", id.ToString());
    }
}
