using Microsoft.Extensions.AI;

namespace Fathom.Knowledge.Embeddings;

/// <summary>An embedding model on an OpenAI-compatible server (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio, ...).</summary>
public sealed class OpenAIEmbedder(OpenAICompatibleClient client, string model, int? dimension) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata = new("openai", client.Endpoint, model, dimension);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        var response = await client.EmbedAsync(new EmbeddingsRequest(model, texts, options?.Dimensions ?? dimension), cancellationToken).ConfigureAwait(false);
        var data = response.Data ?? [];
        if (data.Count != texts.Count || data.Any(d => d.Embedding is null))
        {
            throw new ModelServerException($"The embedding model returned {data.Count(d => d.Embedding is not null)} vectors for {texts.Count} texts.", null);
        }

        var embeddings = new GeneratedEmbeddings<Embedding<float>>(data.Count);
        foreach (var item in data.OrderBy(d => d.Index))
        {
            embeddings.Add(new Embedding<float>(item.Embedding!) { ModelId = response.Model ?? model });
        }

        if (response.Usage is { } usage)
        {
            embeddings.Usage = new UsageDetails { InputTokenCount = usage.PromptTokens, TotalTokenCount = usage.TotalTokens };
        }

        return embeddings;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose() => client.Dispose();
}
