using Fathom.Knowledge.Chunking;
using Fathom.Knowledge.Stores;

namespace Ingestion.Functions.Pipeline;

/// <summary>Sections → token-bounded, overlapping chunks. Deterministic, so positions match on every retry.</summary>
public sealed class PartitionStep(DocumentStore documents, Microsoft.Extensions.Options.IOptions<IngestionOptions> options) : IPipelineStep
{
    public string Name => "partition";

    public async Task<StepResult> InvokeAsync(IngestionJob job, CancellationToken cancellationToken)
    {
        var settings = job.Work.Settings;
        var chunker = new TextChunker(new ChunkingOptions { ChunkSize = settings.ChunkSize, ChunkOverlap = settings.ChunkOverlap });
        job.Chunks = chunker.Split(job.Parsed!, cancellationToken);
        if (job.Chunks.Count > options.Value.MaxChunksPerDocument)
        {
            return StepResult.Fatal($"The document makes {job.Chunks.Count:N0} chunks, past the limit of {options.Value.MaxChunksPerDocument:N0} per document (Ingestion__MaxChunksPerDocument). Split it into smaller files.");
        }
        await documents.ProgressAsync(job.Work.DocumentId, job.Work.Version, 0, job.Chunks.Count, cancellationToken);
        return StepResult.Success;
    }
}
