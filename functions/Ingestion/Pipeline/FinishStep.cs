using Fathom.Knowledge.Stores;
using Fathom.Knowledge.Stores.Operations;

namespace Ingestion.Functions.Pipeline;

/// <summary>Drops earlier versions' chunks and marks the document COMPLETE.</summary>
public sealed class FinishStep(ChunkStore chunks, DocumentStore documents, OperationsFigures figures) : IPipelineStep
{
    public string Name => "finish";

    public async Task<StepResult> InvokeAsync(IngestionJob job, CancellationToken cancellationToken)
    {
        var work = job.Work;
        if (work.Version > 1)
        {
            await chunks.DeleteOtherVersionsAsync(work.CollectionId, work.DocumentId, work.Version, cancellationToken);
        }
        await documents.CompleteAsync(work.DocumentId, work.Version, job.Chunks.Count, cancellationToken);
        // Throughput for the operations page; a redelivered entry may count twice, which a per-minute chart can bear.
        await figures.RecordIngestedAsync();
        return StepResult.Success;
    }
}
