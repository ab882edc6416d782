using Fathom.Functions.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Fathom.Functions;

public sealed record StreamFunctionDescriptor(
    string Name,
    string Connection,
    string StreamKey,
    string? ConsumerGroup,
    int MaxBatchSize,
    Func<StreamEntry, FunctionContext, Task> Invoke) : FunctionDescriptor(Name)
{
    public string Group => ConsumerGroup ?? Name;

    public override FunctionDescriptor ResolveSettings(Func<string, string> resolve)
        => this with { StreamKey = resolve(StreamKey), ConsumerGroup = ConsumerGroup is null ? null : resolve(ConsumerGroup) };

    public override void Register(IServiceCollection services)
    {
        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<RedisStreamListener>(sp, this));
        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<StreamBacklogSampler>(sp, this));
    }

    public override string Describe(FunctionTableContext table) => $"redisStreamTrigger '{StreamKey}' group '{Group}' ({Connection})";
}
