using Fathom.Functions;
using Fathom.Http;
using Fathom.Knowledge.Stores;

namespace Knowledge.Functions;

public sealed record EmbeddingRequest(string? Provider, string? Model, int? Dimension);

/// <summary>BM25 parameters of full-text ranking; a missing one keeps its default (create) or stored value (update).</summary>
public sealed record Bm25Request(double? K1, double? B)
{
    public void Validate(ValidationErrors errors, string prefix)
    {
        if (K1 is { } k1 && !(k1 >= 0 && k1 <= Bm25Settings.MaxK1))
        {
            errors.Add($"{prefix}.k1", $"'{prefix}.k1' must be between 0 and {Bm25Settings.MaxK1}.");
        }
        if (B is { } b && !(b >= 0 && b <= 1))
        {
            errors.Add($"{prefix}.b", $"'{prefix}.b' must be between 0 and 1.");
        }
    }
}

public sealed record SettingsRequest(int? ChunkSize, int? ChunkOverlap, EmbeddingRequest? Embedding, Bm25Request? Bm25 = null);

/// <summary>What may change after creation: only ranking parameters (chunks and vectors depend on the rest).</summary>
public sealed record UpdateSettingsRequest(Bm25Request? Bm25);

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
        Settings?.Bm25?.Validate(errors, "settings.bm25");
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
                embedding?.Dimension ?? defaults.Dimension),
            new Bm25Settings(Settings?.Bm25?.K1 ?? Bm25Settings.Default.K1, Settings?.Bm25?.B ?? Bm25Settings.Default.B));
    }
}

public sealed record UpdateCollectionRequest(string? Name, string? Description, UpdateSettingsRequest? Settings = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is not null)
        {
            errors.Text("name", Name, 1, 200);
        }
        errors.Text("description", Description ?? "", 0, 2000);
        Settings?.Bm25?.Validate(errors, "settings.bm25");
    }
}
