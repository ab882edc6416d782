using Fathom.Knowledge.Chunking;
using Fathom.Knowledge.Parsing;
using Fathom.Knowledge.Stores;

namespace Ingestion.Functions.Pipeline;

/// <summary>How a step ended: go on, try again later (the queue redelivers), or give up on this document.</summary>
public enum StepOutcome
{
    Success,
    Transient,
    Fatal,
}

public readonly record struct StepResult(StepOutcome Outcome, string? Error = null)
{
    public static StepResult Success { get; } = new(StepOutcome.Success);

    public static StepResult Transient(string error) => new(StepOutcome.Transient, error);

    public static StepResult Fatal(string error) => new(StepOutcome.Fatal, error);
}

/// <summary>The document version being ingested and what earlier steps made of it.</summary>
public sealed class IngestionJob(IngestionWork work)
{
    public IngestionWork Work { get; } = work;

    public ParsedDocument? Parsed { get; set; }

    public IReadOnlyList<Chunk> Chunks { get; set; } = [];
}

/// <summary>A named pipeline step; every step must be safe to run again on the same job.</summary>
public interface IPipelineStep
{
    string Name { get; }

    Task<StepResult> InvokeAsync(IngestionJob job, CancellationToken cancellationToken);
}
