using System.Diagnostics;
using Fathom.Knowledge.Embeddings;
using Microsoft.Extensions.AI;

namespace Fathom.Knowledge.Tests;

public sealed class HashedNgramEmbeddingGeneratorTests
{
    // Index and value of the three largest components of "hello world" at 64 dimensions.
    private static readonly List<(int, float)> PinnedHelloWorld = [(13, -0.5368f), (28, 0.5368f), (46, 0.3758f)];

    private static float Cosine(float[] a, float[] b)
    {
        var dot = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
        }

        return dot; // both are unit vectors
    }

    private static float Norm(float[] v) => MathF.Sqrt(v.Sum(x => x * x));

    [Fact]
    public async Task Embeddings_are_unit_length_with_the_configured_dimension_and_model_id()
    {
        using var generator = new HashedNgramEmbeddingGenerator(256);

        var embeddings = await generator.GenerateAsync(["The quick brown fox", "", "!!!", "the of and"]);

        Assert.Equal(4, embeddings.Count);
        Assert.All(embeddings, e =>
        {
            Assert.Equal(256, e.Vector.Length);
            Assert.Equal(1f, Norm(e.Vector.ToArray()), 4);
            Assert.Equal("fathom-hashed-v1", e.ModelId);
        });
        Assert.Equal("fathom-hashed-v1", generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
        Assert.Equal(256, generator.Metadata.DefaultModelDimensions);
    }

    [Fact]
    public void Same_text_gives_same_vector_across_instances()
    {
        var first = new HashedNgramEmbeddingGenerator().Embed("Deterministic embeddings keep stored vectors valid.");
        var second = new HashedNgramEmbeddingGenerator().Embed("Deterministic embeddings keep stored vectors valid.");

        Assert.Equal(first, second);
    }

    [Fact]
    public void Vectors_are_stable_across_processes()
    {
        // Pinned values: a per-process hash (string.GetHashCode) or any change to the features would
        // change them, and every vector already stored in a collection would silently stop matching.
        var vector = new HashedNgramEmbeddingGenerator(64).Embed("hello world");

        var top = vector.Select((v, i) => (v, i)).OrderByDescending(p => MathF.Abs(p.v)).Take(3).Select(p => (p.i, MathF.Round(p.v, 4))).ToList();
        Assert.Equal(PinnedHelloWorld, top);
    }

    [Fact]
    public void Similar_texts_are_closer_than_unrelated_ones()
    {
        var generator = new HashedNgramEmbeddingGenerator();
        var query = generator.Embed("how to reset a forgotten password");
        var related = generator.Embed("To reset your password, open the login page and choose 'Forgot password'.");
        var inflected = generator.Embed("Resetting forgotten passwords");
        var unrelated = generator.Embed("Tomatoes need six hours of direct sun and regular watering.");

        Assert.True(Cosine(query, related) > Cosine(query, unrelated) + 0.1f, $"related {Cosine(query, related)} vs unrelated {Cosine(query, unrelated)}");
        Assert.True(Cosine(query, inflected) > Cosine(query, unrelated) + 0.1f, $"inflected {Cosine(query, inflected)} vs unrelated {Cosine(query, unrelated)}");
        Assert.InRange(Cosine(query, unrelated), -0.2f, 0.2f);
    }

    [Fact]
    public void Case_and_stop_words_do_not_change_the_vector()
    {
        var generator = new HashedNgramEmbeddingGenerator();

        Assert.Equal(generator.Embed("Vector Search"), generator.Embed("the vector search"));
    }

    [Fact]
    public async Task Thousand_small_documents_embed_quickly()
    {
        using var generator = new HashedNgramEmbeddingGenerator();
        var documents = Enumerable.Range(0, 1000).Select(i => $"Document {i} talks about topic {i % 37} with a few more words for realism, like search and ranking.").ToList();

        var watch = Stopwatch.StartNew();
        var embeddings = await generator.GenerateAsync(documents);
        watch.Stop();

        Assert.Equal(1000, embeddings.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Requesting_another_dimension_fails()
    {
        using var generator = new HashedNgramEmbeddingGenerator(384);

        await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 768 }));
    }
}
