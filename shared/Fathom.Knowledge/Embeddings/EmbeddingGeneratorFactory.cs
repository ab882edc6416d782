using Microsoft.Extensions.AI;

namespace Fathom.Knowledge.Embeddings;

/// <summary>Creates the embedder that <see cref="EmbeddingOptions"/> describe.</summary>
public static class EmbeddingGeneratorFactory
{
    /// <summary>
    /// The configured embedder. Throws <see cref="InvalidOperationException"/> listing every problem
    /// with the settings, or <see cref="FileNotFoundException"/> when an ONNX model is missing.
    /// </summary>
    public static IEmbeddingGenerator<string, Embedding<float>> Create(EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"The embedding settings are invalid: {string.Join(" ", problems)}");
        }

        return options.Provider switch
        {
            EmbeddingProvider.Hashed => new HashedNgramEmbeddingGenerator(options.Dimension ?? HashedNgramEmbeddingGenerator.DefaultDimension),
            EmbeddingProvider.OpenAI => CheckDimension(OpenAICompatibleClientFactory.CreateEmbeddingGenerator(options), options.Dimension),
            EmbeddingProvider.Onnx => CheckDimension(new OnnxEmbeddingGenerator(options.ModelPath!, options.Model), options.Dimension),
            _ => throw new InvalidOperationException("Embeddings__Provider must be hashed, openai or onnx."),
        };
    }

    private static IEmbeddingGenerator<string, Embedding<float>> CheckDimension(IEmbeddingGenerator<string, Embedding<float>> generator, int? dimension) =>
        dimension is { } expected ? new DimensionCheckingEmbeddingGenerator(generator, expected) : generator;
}
