using Fathom.Functions.Configuration;
using Fathom.Functions.Hosting;
using Fathom.Functions.Middleware;
using Fathom.Redis;
using Fathom.Redis.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fathom.Functions.Streams;

/// <summary>
/// Runs one stream-triggered function: reads its consumer group with XREADGROUP, acknowledges an entry
/// only after the function succeeded, takes over entries another consumer left pending past the
/// visibility timeout (XAUTOCLAIM), and moves an entry to the dead-letter stream once it has been
/// delivered MaxDeliveries times. While a call runs, its entries are re-claimed as a heartbeat so a slow
/// but live worker keeps them.
/// </summary>
public sealed partial class RedisStreamListener(
    StreamFunctionDescriptor function,
    RedisConnections redis,
    IServiceScopeFactory scopes,
    IOptions<FunctionsHostOptions> hostOptions,
    TimeProvider time,
    FunctionMetrics metrics,
    FunctionPipeline pipeline,
    ILogger<RedisStreamListener> logger) : BackgroundService
{
    private readonly RedisStreamOptions _options = hostOptions.Value.Extensions.RedisStreams;
    private readonly TimeSpan _timeout = hostOptions.Value.FunctionTimeout;
    private readonly string _consumer = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>Cancelled only when graceful shutdown has run out of time: in-flight calls are then released.</summary>
    private readonly CancellationTokenSource _abort = new();

    public string DeadLetterKey => function.StreamKey + _options.DeadLetterSuffix;

    private int BatchSize => function.MaxBatchSize > 0 ? function.MaxBatchSize : _options.MaxBatchSize;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var db = (await redis.GetAsync(function.Connection)).GetDatabase();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await EnsureGroupAsync(db);
                var entries = await NextBatchAsync(db);
                if (entries.Count == 0)
                {
                    await Task.Delay(_options.PollingInterval, time, stoppingToken);
                    continue;
                }

                await Parallel.ForEachAsync(
                    entries,
                    new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentCalls },
                    async (entry, _) => await HandleAsync(db, entry.Entry, entry.Deliveries));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RedisException ex)
            {
                LogRedisUnavailable(logger, ex, function.Name);
                await Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop reading; give in-flight calls until the host's shutdown timeout, then release them
        // (they stay pending and another consumer reclaims them).
        using var release = cancellationToken.Register(() => _abort.Cancel());
        await base.StopAsync(CancellationToken.None);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    private async Task EnsureGroupAsync(IDatabase db)
    {
        try
        {
            // "0": a new group also takes entries written before it existed.
            await db.StreamCreateConsumerGroupAsync(function.StreamKey, function.Group, "0-0", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // Exists already.
        }
    }

    private async Task<List<(StreamEntry Entry, int Deliveries)>> NextBatchAsync(IDatabase db)
    {
        var batch = new List<(StreamEntry, int)>();

        var claimed = await db.StreamAutoClaimAsync(function.StreamKey, function.Group, _consumer, (long)_options.VisibilityTimeout.TotalMilliseconds, "0-0", BatchSize);
        if (claimed.DeletedIds.Length > 0)
        {
            // Trimmed away while pending: nothing left to run.
            await db.StreamAcknowledgeAsync(function.StreamKey, function.Group, claimed.DeletedIds);
        }
        if (claimed.ClaimedEntries.Length > 0)
        {
            var pending = await db.StreamPendingMessagesAsync(
                function.StreamKey, function.Group, claimed.ClaimedEntries.Length, _consumer,
                claimed.ClaimedEntries.Min(e => e.Id), claimed.ClaimedEntries.Max(e => e.Id));
            var deliveries = pending.ToDictionary(p => p.MessageId.ToString(), p => p.DeliveryCount, StringComparer.Ordinal);
            foreach (var entry in claimed.ClaimedEntries)
            {
                LogReclaimed(logger, function.Name, entry.Id);
                batch.Add((entry, deliveries.GetValueOrDefault(entry.Id.ToString(), _options.MaxDeliveries)));
            }
            return batch;
        }

        var fresh = await db.StreamReadGroupAsync(function.StreamKey, function.Group, _consumer, StreamPosition.NewMessages, BatchSize);
        batch.AddRange(fresh.Select(e => (e, 1)));
        return batch;
    }

    private async Task HandleAsync(IDatabase db, StreamEntry entry, int deliveries)
    {
        if (deliveries > _options.MaxDeliveries)
        {
            await DeadLetterAsync(db, entry, deliveries, "Delivered too many times without success.");
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        timeout.CancelAfter(_timeout);
        using var heartbeat = new Timer(
            _ => _ = db.StreamClaimIdsOnlyAsync(function.StreamKey, function.Group, _consumer, 0, [entry.Id], CommandFlags.FireAndForget),
            null, _options.VisibilityTimeout / 3, _options.VisibilityTimeout / 3);

        await using var scope = scopes.CreateAsyncScope();
        // The pipeline traces, counts and logs the call; the entry's invocation acknowledges it on success and, on
        // failure, leaves it pending for a retry or moves it to the dead letters (Invocation).
        await pipeline.InvokeAsync(new FunctionContext
        {
            InvocationId = entry.Id.ToString(),
            FunctionName = function.Name,
            InstanceServices = scope.ServiceProvider,
            CancellationToken = timeout.Token,
            DeliveryCount = deliveries,
            IsLastDelivery = deliveries >= _options.MaxDeliveries,
            Trigger = new Invocation(this, function, logger, db, entry, deliveries),
        });
    }

    private async Task DeadLetterAsync(IDatabase db, StreamEntry entry, int deliveries, string error)
    {
        var fields = entry.Values
            .Append(new NameValueEntry("dead-letter:source-id", entry.Id.ToString()))
            .Append(new NameValueEntry("dead-letter:function", function.Name))
            .Append(new NameValueEntry("dead-letter:deliveries", deliveries))
            .Append(new NameValueEntry("dead-letter:error", error))
            .ToArray();
        var transaction = db.CreateTransaction();
        _ = transaction.StreamAddAsync(DeadLetterKey, fields);
        _ = transaction.StreamAcknowledgeAsync(function.StreamKey, function.Group, entry.Id);
        await transaction.ExecuteAsync();
        LogDeadLettered(logger, function.Name, entry.Id.ToString(), DeadLetterKey, deliveries);
        metrics.Record(function.Name, InvocationOutcome.DeadLetter, TimeSpan.Zero);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {Function} failed on entry {EntryId} (delivery {Delivery} of {MaxDeliveries})")]
    private static partial void LogFailed(ILogger logger, Exception ex, string function, string entryId, int delivery, int maxDeliveries);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} moved entry {EntryId} to {DeadLetterStream} after {Deliveries} deliveries")]
    private static partial void LogDeadLettered(ILogger logger, string function, string entryId, string deadLetterStream, int deliveries);

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {Function} reclaimed entry {EntryId} left pending by another consumer")]
    private static partial void LogReclaimed(ILogger logger, string function, RedisValue entryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {Function} released entry {EntryId} at shutdown; another consumer will take it")]
    private static partial void LogReleased(ILogger logger, Exception ex, string function, string entryId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} cannot reach Redis; retrying")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception ex, string function);
}
