using Fathom.Knowledge.Chunking;
using Fathom.Knowledge.Stores;

namespace Ingestion.Functions.Pipeline;

/// <summary>Sections → token-bounded, overlapping chunks. Deterministic, so positions match on every retry.</summary>
public sealed class PartitionStep(DocumentStore documents) : IPipelineStep
{
    public string Name => "partition";

    public async Task<StepResult> InvokeAsync(IngestionJob job, CancellationToken cancellationToken)
    {
        var settings = job.Work.Settings;
        var chunker = new TextChunker(new ChunkingOptions { ChunkSize = settings.ChunkSize, ChunkOverlap = settings.ChunkOverlap });
        job.Chunks = chunker.Split(job.Parsed!, cancellationToken);
        await documents.ProgressAsync(job.Work.DocumentId, job.Work.Version, 0, job.Chunks.Count, cancellationToken);
        return StepResult.Success;
    }
}
