using System.Diagnostics;
using Fathom.Data;
using Fathom.Functions;
using Fathom.Knowledge.Stores;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ingestion.Functions.Pipeline;

/// <summary>
/// Runs the steps in order for one queue entry. A fatal outcome fails the document and acknowledges the
/// entry (a bad file never blocks the queue); a transient one throws, so the stream trigger redelivers it —
/// and on the last allowed delivery the document is marked FAILED before the entry goes to the dead letters.
/// </summary>
public sealed partial class IngestionPipeline(
    IEnumerable<IPipelineStep> steps,
    DocumentStore documents,
    IOptions<IngestionOptions> options,
    TimeProvider time,
    ILogger<IngestionPipeline> logger)
{
    public const string ActivitySourceName = "Fathom.Ingestion";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    private readonly IPipelineStep[] _steps = steps.ToArray();

    public async Task RunAsync(StreamEntry entry, FunctionContext context)
    {
        var ct = context.CancellationToken;
        if (IngestMessage.Parse(entry) is not var (documentId, _, version, _, _))
        {
            LogMalformed(logger, entry.Id.ToString());
            return;
        }

        // A store that is down or restarting is waited out here, with backoff: every step is safe to run again, and
        // an outage must not spend the entry's deliveries and send good documents to the dead letters.
        var waited = TimeSpan.Zero;
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await RunOnceAsync(documentId, version, context, ct);
                return;
            }
            catch (Exception ex) when (StoreOutage.Is(ex) && waited < options.Value.MaxOutageWait && !ct.IsCancellationRequested)
            {
                LogOutage(logger, documentId, version, ex.Message, delay.TotalSeconds);
                await Task.Delay(delay, time, ct);
                waited += delay;
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            }
        }
    }

    private async Task RunOnceAsync(Guid documentId, int version, FunctionContext context, CancellationToken ct)
    {
        var work = await documents.ClaimAsync(documentId, version, ct);
        if (work is null)
        {
            // Already complete, superseded by a newer version, or deleted: nothing to do.
            LogSkipped(logger, documentId, version);
            return;
        }

        var job = new IngestionJob(work);
        foreach (var step in _steps)
        {
            // A child of the invocation's span, so a trace shows where a document's time went, step by step.
            using var activity = Source.StartActivity(step.Name);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag("fathom.ingestion.step", step.Name);
                activity.SetTag("fathom.document.id", documentId.ToString());
                activity.SetTag("fathom.document.version", version);
            }
            StepResult result;
            try
            {
                result = await step.InvokeAsync(job, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && !StoreOutage.Is(ex))
            {
                activity?.AddException(ex);
                result = StepResult.Transient($"{step.Name}: {ex.Message}");
            }
            if (result.Outcome != StepOutcome.Success)
            {
                activity?.SetStatus(ActivityStatusCode.Error, result.Error);
                activity?.SetTag("fathom.ingestion.outcome", result.Outcome == StepOutcome.Fatal ? "fatal" : "transient");
            }

            switch (result.Outcome)
            {
                case StepOutcome.Fatal:
                    LogFailed(logger, documentId, version, step.Name, result.Error!);
                    await documents.FailAsync(documentId, version, result.Error!, CancellationToken.None);
                    return;
                case StepOutcome.Transient:
                    LogTransient(logger, documentId, version, step.Name, result.Error!, context.DeliveryCount);
                    if (context.IsLastDelivery)
                    {
                        await documents.FailAsync(documentId, version, $"Gave up after {context.DeliveryCount} attempts: {result.Error}", CancellationToken.None);
                    }
                    throw new IngestionRetryException(result.Error!);
            }
        }
        LogCompleted(logger, documentId, version, job.Chunks.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocumentId} v{Version}: a store is unavailable ({Error}); trying again in {Seconds} s")]
    private static partial void LogOutage(ILogger logger, Guid documentId, int version, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring malformed ingest entry {EntryId}")]
    private static partial void LogMalformed(ILogger logger, string entryId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} v{Version}: nothing to do (complete, superseded or deleted)")]
    private static partial void LogSkipped(ILogger logger, Guid documentId, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocumentId} v{Version} failed in step {Step}: {Error}")]
    private static partial void LogFailed(ILogger logger, Guid documentId, int version, string step, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocumentId} v{Version}: step {Step} will be retried ({Error}); delivery {Delivery}")]
    private static partial void LogTransient(ILogger logger, Guid documentId, int version, string step, string error, int delivery);

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} v{Version} indexed: {Chunks} chunks")]
    private static partial void LogCompleted(ILogger logger, Guid documentId, int version, int chunks);
}

public sealed class IngestionRetryException(string message) : Exception(message);

public static class IngestionPipelineRegistration
{
    /// <summary>The steps, in the order they run.</summary>
    public static FunctionsApplicationBuilder AddIngestionPipeline(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<IngestionOptions>, IngestionOptionsValidator>();
        builder.Services.AddSingleton<IPipelineStep, ExtractStep>();
        builder.Services.AddSingleton<IPipelineStep, PartitionStep>();
        builder.Services.AddSingleton<IPipelineStep, EmbedAndSaveStep>();
        builder.Services.AddSingleton<IPipelineStep, FinishStep>();
        builder.Services.AddSingleton<IngestionPipeline>();
        return builder;
    }
}
