namespace Fathom.Redis.Streams;

/// <summary>host.json <c>extensions.redisStreams</c>: how stream triggers read, retry and give up.</summary>
public sealed class RedisStreamOptions
{
    /// <summary>Where the host binds it from (<c>AzureFunctionsJobHost</c>, host.json's root); libraries bind the same section.</summary>
    public const string Section = "AzureFunctionsJobHost:extensions:redisStreams";

    public int MaxBatchSize { get; set; } = 16;

    /// <summary>Deliveries before an entry moves to the dead-letter stream.</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>An entry pending this long without a heartbeat is taken over by another consumer.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromMilliseconds(500);
    public int MaxConcurrentCalls { get; set; } = 4;

    /// <summary>Dead letters go to <c>{stream}{DeadLetterSuffix}</c>.</summary>
    public string DeadLetterSuffix { get; set; } = ":dead";
}
