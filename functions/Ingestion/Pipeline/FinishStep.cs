using Fathom.Knowledge.Stores;

namespace Ingestion.Functions.Pipeline;

/// <summary>Drops earlier versions' chunks and marks the document COMPLETE.</summary>
public sealed class FinishStep(ChunkStore chunks, DocumentStore documents) : IPipelineStep
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
        return StepResult.Success;
    }
}
