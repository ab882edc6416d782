using Fathom.Knowledge.Parsing;
using Microsoft.Extensions.Options;

namespace Ingestion.Functions;

/// <summary>Settings under <c>Ingestion</c>: what one document may grow to before it is failed with the limit named.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>See <see cref="ParsingLimits.MaxExpandedBytes"/>.</summary>
    public long MaxExpandedBytes { get; set; } = ParsingLimits.Default.MaxExpandedBytes;

    /// <summary>See <see cref="ParsingLimits.MaxTextCharacters"/>.</summary>
    public long MaxTextCharacters { get; set; } = ParsingLimits.Default.MaxTextCharacters;

    /// <summary>See <see cref="ParsingLimits.MaxPages"/>.</summary>
    public int MaxPages { get; set; } = ParsingLimits.Default.MaxPages;

    /// <summary>Chunks one document may make (each is embedded and indexed, so this bounds the work a file can cause).</summary>
    public int MaxChunksPerDocument { get; set; } = 20_000;

    /// <summary>How long one delivery waits out a store outage (Postgres or Redis restarting) before it gives the entry back.</summary>
    public TimeSpan MaxOutageWait { get; set; } = TimeSpan.FromMinutes(2);

    public ParsingLimits Limits => new() { MaxExpandedBytes = MaxExpandedBytes, MaxTextCharacters = MaxTextCharacters, MaxPages = MaxPages };
}

internal sealed class IngestionOptionsValidator : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions options)
    {
        var errors = options.Limits.Validate().ToList();
        if (options.MaxChunksPerDocument < 1)
        {
            errors.Add("Ingestion:MaxChunksPerDocument must be at least 1.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
