using Fathom.Functions;
using Fathom.Knowledge.Stores;

namespace Knowledge.Functions;

public sealed record EmbeddingRequest(string? Provider, string? Model, int? Dimension);

public sealed record SettingsRequest(int? ChunkSize, int? ChunkOverlap, EmbeddingRequest? Embedding);

public sealed record CreateCollectionRequest(string Name, string? Description, SettingsRequest? Settings) : IValidatable
{
    public const int DefaultChunkSize = 400;
    public const int DefaultChunkOverlap = 50;

    public void Validate(ValidationErrors errors)
    {
        errors.Text("name", Name, 1, 200);
        errors.Text("description", Description ?? "", 0, 2000);
        var size = Settings?.ChunkSize ?? DefaultChunkSize;
        errors.Range("settings.chunkSize", Settings?.ChunkSize, 64, 2048);
        if (Settings?.ChunkOverlap is { } overlap && (overlap < 0 || overlap > size / 2))
        {
            errors.Add("settings.chunkOverlap", $"'settings.chunkOverlap' must be between 0 and half the chunk size ({size / 2}).");
        }
        errors.Range("settings.embedding.dimension", Settings?.Embedding?.Dimension, 16, ChunkStore.MaxDimension);
    }

    /// <summary>The settings the collection is created with: what was asked, the server's defaults for the rest.</summary>
    public CollectionSettings Resolve(EmbeddingSettings defaults)
    {
        var embedding = Settings?.Embedding;
        var provider = embedding?.Provider ?? defaults.Provider;
        var sameProvider = string.Equals(provider, defaults.Provider, StringComparison.OrdinalIgnoreCase);
        return new CollectionSettings(
            Settings?.ChunkSize ?? DefaultChunkSize,
            Settings?.ChunkOverlap ?? Math.Min(DefaultChunkOverlap, (Settings?.ChunkSize ?? DefaultChunkSize) / 2),
            new EmbeddingSettings(
                provider.ToLowerInvariant(),
                embedding?.Model ?? (sameProvider ? defaults.Model : provider == "hashed" ? "fathom-hashed-v1" : ""),
                embedding?.Dimension ?? defaults.Dimension));
    }
}

public sealed record UpdateCollectionRequest(string? Name, string? Description) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is not null)
        {
            errors.Text("name", Name, 1, 200);
        }
        errors.Text("description", Description ?? "", 0, 2000);
    }
}
