using Microsoft.Extensions.AI;
using OpenAI.Embeddings;
using AIEmbeddingOptions = Microsoft.Extensions.AI.EmbeddingGenerationOptions;

namespace Fathom.Knowledge.Embeddings;

/// <summary>
/// An OpenAI-compatible embedding model over the official OpenAI client. Written here beside
/// <see cref="OpenAIChatModel"/>, whose comment says why, so that no app links Microsoft.Extensions.AI.OpenAI.
/// </summary>
public sealed class OpenAIEmbedder(EmbeddingClient client, string model, int? dimension) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata = new("openai", defaultModelId: model, defaultModelDimensions: dimension);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, AIEmbeddingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        var request = new OpenAI.Embeddings.EmbeddingGenerationOptions { Dimensions = options?.Dimensions ?? dimension };
        var response = (await client.GenerateEmbeddingsAsync(texts, request, cancellationToken).ConfigureAwait(false)).Value;
        if (response.Count != texts.Count)
        {
            throw new InvalidOperationException($"The embedding model returned {response.Count} vectors for {texts.Count} texts.");
        }

        var embeddings = new GeneratedEmbeddings<Embedding<float>>(response.Count);
        foreach (var embedding in response.OrderBy(e => e.Index))
        {
            embeddings.Add(new Embedding<float>(embedding.ToFloats()) { ModelId = response.Model });
        }

        if (response.Usage is { } usage)
        {
            embeddings.Usage = new UsageDetails { InputTokenCount = usage.InputTokenCount, TotalTokenCount = usage.TotalTokenCount };
        }

        return embeddings;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType == typeof(EmbeddingClient) ? client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
    }
}
