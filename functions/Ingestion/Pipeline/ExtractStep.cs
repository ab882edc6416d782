using Fathom.Knowledge.Parsing;
using Microsoft.Extensions.Options;

namespace Ingestion.Functions.Pipeline;

/// <summary>
/// Bytes → normalised text sections with page numbers and headings. A file that cannot be read, or would expand
/// past the limits, fails its document only.
/// </summary>
public sealed class ExtractStep(IOptions<IngestionOptions> options) : IPipelineStep
{
    private readonly DocumentParsers _parsers = DocumentParsers.Create(options.Value.Limits);

    public string Name => "extract";

    public async Task<StepResult> InvokeAsync(IngestionJob job, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new MemoryStream(job.Work.Content, writable: false);
            job.Parsed = await _parsers.ParseAsync(content, job.Work.Name, null, cancellationToken);
            return StepResult.Success;
        }
        catch (DocumentParseException ex)
        {
            return StepResult.Fatal(ex.Message);
        }
    }
}
