using Fathom.Knowledge.Parsing;

namespace Ingestion.Functions.Pipeline;

/// <summary>Bytes → normalised text sections with page numbers and headings. A file that cannot be read fails its document only.</summary>
public sealed class ExtractStep : IPipelineStep
{
    public string Name => "extract";

    public async Task<StepResult> InvokeAsync(IngestionJob job, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new MemoryStream(job.Work.Content, writable: false);
            job.Parsed = await DocumentParsers.Default.ParseAsync(content, job.Work.Name, null, cancellationToken);
            return StepResult.Success;
        }
        catch (DocumentParseException ex)
        {
            return StepResult.Fatal(ex.Message);
        }
    }
}
