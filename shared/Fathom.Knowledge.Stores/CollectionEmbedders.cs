using System.Collections.Concurrent;
using Fathom.Knowledge.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;

namespace Fathom.Knowledge.Stores;

/// <summary>
/// The embedding generator a collection was created with (provider, model, dimension), built once and
/// shared. Endpoint and key come from the <c>Embeddings</c> settings, so a collection never stores a secret.
/// </summary>
public sealed class CollectionEmbedders(IConfiguration configuration) : IDisposable
{
    private readonly ConcurrentDictionary<EmbeddingSettings, IEmbeddingGenerator<string, Embedding<float>>> _generators = new();

    /// <summary>The settings new collections get when they name none.</summary>
    public EmbeddingSettings Default
    {
        get
        {
            var options = Options(null);
            var dimension = options.Dimension ?? HashedNgramEmbeddingGenerator.DefaultDimension;
            var model = options.Provider == EmbeddingProvider.Hashed ? HashedNgramEmbeddingGenerator.ModelId : options.Model ?? "";
            return new EmbeddingSettings(EmbeddingOptions.ProviderName(options.Provider), model, dimension);
        }
    }

    public IReadOnlyList<string> Validate(EmbeddingSettings settings)
    {
        if (!EmbeddingOptions.TryParseProvider(settings.Provider, out var provider) || settings.Provider.Length == 0)
        {
            return ["'settings.embedding.provider' must be one of: hashed, openai, onnx."];
        }
        var options = Options(settings);
        var problems = options.Validate().ToList();
        if (settings.Dimension > ChunkStore.MaxDimension)
        {
            // The HNSW index (pgvector) holds vectors of at most 2,000 dimensions: past that nothing could be indexed.
            problems.Add($"'settings.embedding.dimension' is {settings.Dimension}; the vector index holds at most {ChunkStore.MaxDimension} dimensions (ask the model for fewer, e.g. OpenAI's 'dimensions').");
        }
        if (provider != EmbeddingProvider.Hashed && Options(null).Provider != provider)
        {
            problems.Add($"The {settings.Provider} embedding provider is not configured on this server (Embeddings__Provider is {EmbeddingOptions.ProviderName(Options(null).Provider)}).");
        }
        return problems;
    }

    public IEmbeddingGenerator<string, Embedding<float>> For(EmbeddingSettings settings)
        => _generators.GetOrAdd(settings, s => EmbeddingGeneratorFactory.Create(Options(s)));

    /// <summary>
    /// Why the embedder of <paramref name="settings"/> cannot make vectors of <paramref name="dimensions"/>, or null
    /// when it can (through <see cref="For"/> with that dimension): the hashed embedder hashes into any size in its
    /// range, an OpenAI-compatible endpoint is asked for the size (text-embedding-3 models shorten), an ONNX model
    /// has one output size.
    /// </summary>
    public static string? DimensionsProblem(EmbeddingSettings settings, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (dimensions == settings.Dimension)
        {
            return null;
        }
        if (!EmbeddingOptions.TryParseProvider(settings.Provider, out var provider))
        {
            return $"Unknown embedding provider '{settings.Provider}'.";
        }
        return provider switch
        {
            EmbeddingProvider.Hashed when dimensions is < HashedNgramEmbeddingGenerator.MinDimension or > HashedNgramEmbeddingGenerator.MaxDimension
                => $"The hashed embedder makes {HashedNgramEmbeddingGenerator.MinDimension} to {HashedNgramEmbeddingGenerator.MaxDimension} dimensions, not {dimensions}.",
            EmbeddingProvider.Hashed or EmbeddingProvider.OpenAI => null,
            _ => $"The {settings.Provider} embedder '{settings.Model}' makes {settings.Dimension}-dimensional vectors only; 'dimensions' cannot change that.",
        };
    }

    public async Task<float[]> EmbedAsync(EmbeddingSettings settings, string text, CancellationToken ct)
        => (await For(settings).GenerateAsync([text], cancellationToken: ct))[0].Vector.ToArray();

    private EmbeddingOptions Options(EmbeddingSettings? settings)
    {
        var section = configuration.GetSection(EmbeddingOptions.SectionName);
        var name = settings?.Provider ?? section["Provider"];
        if (!EmbeddingOptions.TryParseProvider(name, out var provider))
        {
            throw new InvalidOperationException($"Unknown embedding provider '{name}'.");
        }
        return new EmbeddingOptions
        {
            Provider = provider,
            Endpoint = section["Endpoint"],
            ApiKey = section["ApiKey"],
            ModelPath = section["ModelPath"],
            Model = settings?.Model ?? section["Model"],
            Dimension = settings?.Dimension ?? (int.TryParse(section["Dimension"], out var d) ? d : null),
        };
    }

    public void Dispose()
    {
        foreach (var generator in _generators.Values)
        {
            generator.Dispose();
        }
    }
}
