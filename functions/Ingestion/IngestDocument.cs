using Fathom.Functions;
using Fathom.Knowledge.Stores;
using Ingestion.Functions.Pipeline;
using StackExchange.Redis;

namespace Ingestion.Functions;

/// <summary>One queue entry = one document version: parse, chunk, embed, index. Safe to run again.</summary>
public sealed class IngestDocument(IngestionPipeline pipeline)
{
    [Function(nameof(IngestDocument))]
    public Task Run(
        [RedisStreamTrigger(IngestQueue.RedisSetting, IngestQueue.StreamKey, ConsumerGroup = IngestQueue.ConsumerGroup)] StreamEntry entry,
        FunctionContext context)
        => pipeline.RunAsync(entry, context);
}
