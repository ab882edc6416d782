using Microsoft.Extensions.AI;

namespace Fathom.Knowledge.Embeddings;

/// <summary>
/// Fails fast when a remote or local model returns vectors of another size than configured: a
/// wrong-sized vector would otherwise only fail later, inside the vector store, with a worse message.
/// </summary>
public sealed class DimensionCheckingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, int dimension)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public int Dimension { get; } = dimension;

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var embeddings = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        foreach (var embedding in embeddings)
        {
            if (embedding.Vector.Length != Dimension)
            {
                throw new InvalidOperationException($"The embedding model returned {embedding.Vector.Length}-dimensional vectors, but {Dimension} are configured.");
            }
        }

        return embeddings;
    }
}
