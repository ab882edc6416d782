using Fathom.Knowledge.Stores;

namespace Ingestion.Functions.Pipeline;

/// <summary>
/// Embeds the chunks not stored yet, in batches, and writes each batch before embedding the next, so a
/// worker that dies mid-document leaves whole batches behind and the next delivery embeds only the rest.
/// </summary>
public sealed class EmbedAndSaveStep(ChunkStore chunks, DocumentStore documents, CollectionEmbedders embedders) : IPipelineStep
{
    public const int BatchSize = 32;

    public string Name => "embed-and-save";

    public async Task<StepResult> InvokeAsync(IngestionJob job, CancellationToken cancellationToken)
    {
        var work = job.Work;
        await chunks.EnsureCollectionAsync(work.CollectionId, work.Settings.Embedding.Dimension, cancellationToken);
        // Nothing reported stored means nothing to skip (a batch written but not yet reported is
        // re-embedded and its insert is a no-op), so the common first run saves a vector-store call.
        var stored = work.ChunksDoneBefore == 0 ? [] : await chunks.StoredPositionsAsync(work.CollectionId, work.DocumentId, work.Version, cancellationToken);
        var missing = job.Chunks.Where(c => !stored.Contains(c.Position)).ToList();
        var done = job.Chunks.Count - missing.Count;
        var generator = embedders.For(work.Settings.Embedding);

        foreach (var batch in missing.Chunk(BatchSize))
        {
            var embeddings = await generator.GenerateAsync(batch.Select(c => c.Text), cancellationToken: cancellationToken);
            var records = batch.Select((c, i) => new ChunkRecord(
                ChunkRecord.IdFor(work.DocumentId, work.Version, c.Position), work.DocumentId, work.Version, c.Position,
                c.Text, c.Page, c.Heading, embeddings[i].Vector.ToArray())).ToList();
            if (records.Any(r => r.Embedding.Length != work.Settings.Embedding.Dimension))
            {
                return StepResult.Fatal($"The embedding model returned vectors of the wrong size (expected {work.Settings.Embedding.Dimension}).");
            }
            await chunks.InsertAsync(work.CollectionId, records, cancellationToken);
            done += batch.Length;
            if (done < job.Chunks.Count)
            {
                // The last batch is reported by FinishStep's COMPLETE.
                await documents.ProgressAsync(work.DocumentId, work.Version, done, job.Chunks.Count, cancellationToken);
            }
        }
        return StepResult.Success;
    }
}
