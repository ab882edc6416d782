using Fathom.Knowledge.TextProcessing;
using Microsoft.Extensions.AI;

namespace Fathom.Knowledge.Embeddings;

/// <summary>
/// The built-in embedder that needs no model: signed feature hashing of lowercase word unigrams,
/// word bigrams and character 3-grams of words into a fixed number of dimensions, with sublinear
/// term frequency (1 + ln tf), L2-normalised. It captures shared vocabulary and spelling variants,
/// not meaning: paraphrases with different words score low. Deterministic across processes and
/// machines (FNV-1a, not string.GetHashCode), so stored vectors stay valid after a restart.
/// </summary>
public sealed class HashedNgramEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ModelId = "fathom-hashed-v1";
    public const int DefaultDimension = 384;
    public const int MinDimension = 16;
    public const int MaxDimension = 4096;

    private const float UnigramWeight = 1.0f;
    private const float BigramWeight = 0.7f;
    private const float TrigramWeight = 0.35f;

    public HashedNgramEmbeddingGenerator(int dimension = DefaultDimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, MinDimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimension, MaxDimension);
        Dimension = dimension;
        Metadata = new EmbeddingGeneratorMetadata("fathom-hashed", providerUri: null, defaultModelId: ModelId, defaultModelDimensions: dimension);
    }

    public int Dimension { get; }

    public EmbeddingGeneratorMetadata Metadata { get; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } requested && requested != Dimension)
        {
            throw new InvalidOperationException($"This hashed embedder produces {Dimension} dimensions, not {requested}.");
        }

        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            embeddings.Add(new Embedding<float>(Embed(value)) { ModelId = ModelId });
        }

        return Task.FromResult(embeddings);
    }

    /// <summary>The embedding of one text; never the zero vector (text without words hashes as a whole).</summary>
    public float[] Embed(string? text)
    {
        text ??= string.Empty;
        var features = CountFeatures(text.ToLowerInvariant());
        var vector = new float[Dimension];
        foreach (var (key, count) in features)
        {
            var group = (FeatureGroup)(key >> 32);
            var hash = FeatureHash.Mix((uint)key);
            var bucket = (int)(hash % (uint)Dimension);
            var sign = (FeatureHash.Mix(hash ^ 0x9E3779B9u) & 1) == 0 ? 1f : -1f;
            var weight = group switch
            {
                FeatureGroup.Unigram => UnigramWeight,
                FeatureGroup.Bigram => BigramWeight,
                _ => TrigramWeight,
            };
            vector[bucket] += sign * weight * (1f + MathF.Log(count));
        }

        Normalize(vector);
        return vector;
    }

    private static Dictionary<ulong, int> CountFeatures(string lower)
    {
        var features = new Dictionary<ulong, int>();
        var words = SearchTerms.Words(lower).ToList();
        var content = words.Where(w => !SearchTerms.StopWords.Contains(lower[w])).ToList();
        if (content.Count == 0)
        {
            content = words; // a query made only of stop words still deserves a vector
        }

        ReadOnlySpan<char> previous = default;
        foreach (var range in content)
        {
            var word = lower.AsSpan(range);
            Add(features, FeatureGroup.Unigram, FeatureHash.Fnv1a(word));
            if (!previous.IsEmpty)
            {
                Add(features, FeatureGroup.Bigram, FeatureHash.Fnv1a(word, FeatureHash.Fnv1a(" ", FeatureHash.Fnv1a(previous))));
            }

            AddTrigrams(features, word);
            previous = word;
        }

        if (features.Count == 0)
        {
            Add(features, FeatureGroup.Unigram, FeatureHash.Fnv1a(lower.Length == 0 ? "\u2205" : lower));
        }

        return features;
    }

    // Character 3-grams of "<word>" so that prefixes and suffixes are features of their own.
    private static void AddTrigrams(Dictionary<ulong, int> features, ReadOnlySpan<char> word)
    {
        Span<char> padded = word.Length <= 254 ? stackalloc char[word.Length + 2] : new char[word.Length + 2];
        padded[0] = '<';
        word.CopyTo(padded[1..]);
        padded[^1] = '>';
        for (var i = 0; i + 3 <= padded.Length; i++)
        {
            Add(features, FeatureGroup.Trigram, FeatureHash.Fnv1a(padded.Slice(i, 3)));
        }
    }

    private static void Add(Dictionary<ulong, int> features, FeatureGroup group, uint hash)
    {
        var key = ((ulong)group << 32) | hash;
        features[key] = features.GetValueOrDefault(key) + 1;
    }

    private static void Normalize(float[] vector)
    {
        var sum = 0f;
        foreach (var v in vector)
        {
            sum += v * v;
        }

        if (sum <= 0f)
        {
            // Every feature cancelled out (vanishingly rare): fall back to a fixed unit vector.
            vector[0] = 1f;
            return;
        }

        var scale = 1f / MathF.Sqrt(sum);
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // Holds no resources.
    }

    private enum FeatureGroup : uint
    {
        Unigram = 1,
        Bigram = 2,
        Trigram = 3,
    }
}

/// <summary>Stable 32-bit hashing for feature hashing (identical in every process, unlike string.GetHashCode).</summary>
internal static class FeatureHash
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static uint Fnv1a(ReadOnlySpan<char> text, uint hash = OffsetBasis)
    {
        foreach (var c in text)
        {
            hash = (hash ^ (byte)c) * Prime;
            hash = (hash ^ (byte)(c >> 8)) * Prime;
        }

        return hash;
    }

    /// <summary>MurmurHash3's finaliser: spreads FNV's weak low bits before they pick a bucket.</summary>
    public static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }
}
