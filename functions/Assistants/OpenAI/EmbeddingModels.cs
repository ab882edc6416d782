using Fathom.Knowledge.Embeddings;
using Fathom.Knowledge.Stores;

namespace Assistants.Functions.OpenAI;

/// <summary>
/// Fathom's embedders as OpenAI models: the built-in hashed embedder (always there) and the server's configured
/// default (Embeddings__*). Each is found by its model id or its provider name (<c>hashed</c>, <c>openai</c>, <c>onnx</c>).
/// </summary>
public sealed class EmbeddingModels(CollectionEmbedders embedders)
{
    /// <summary>Upper bound of <c>dimensions</c>; also bounds how many sized embedders a model can have built.</summary>
    public const int MaxDimensions = HashedNgramEmbeddingGenerator.MaxDimension;

    public IReadOnlyList<(string Id, EmbeddingSettings Settings)> All
    {
        get
        {
            var configured = embedders.Default;
            var hashed = configured.Provider == "hashed"
                ? configured
                : new EmbeddingSettings("hashed", HashedNgramEmbeddingGenerator.ModelId, HashedNgramEmbeddingGenerator.DefaultDimension);
            var all = new List<(string, EmbeddingSettings)> { (hashed.Model, hashed) };
            if (configured.Provider != "hashed")
            {
                all.Add((configured.Model.Length > 0 ? configured.Model : configured.Provider, configured));
            }
            return all;
        }
    }

    public EmbeddingSettings? Find(string name)
    {
        foreach (var (id, settings) in All)
        {
            if (string.Equals(name, id, StringComparison.Ordinal) || string.Equals(name, settings.Provider, StringComparison.OrdinalIgnoreCase))
            {
                return settings;
            }
        }
        return null;
    }
}
