using Fathom.Knowledge.Embeddings;
using Microsoft.Extensions.AI;

namespace Fathom.Knowledge.Tests;

public sealed class OnnxEmbeddingGeneratorTests : IDisposable
{
    // Token ids follow the vocabulary order below.
    private static readonly string[] Vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cat", "dog", "sat", "the"];

    // Hidden size 4. [PAD] is huge so that any padding that leaks into the mean is obvious.
    private static readonly float[][] Table =
    [
        [100, 100, 100, 100], // [PAD]
        [0, 0, 0, 3],         // [UNK]
        [1, 0, 0, 0],         // [CLS]
        [0, 1, 0, 0],         // [SEP]
        [0, 0, 0, 0],         // [MASK]
        [0, 0, 2, 0],         // cat
        [0, 0, 0, 2],         // dog
        [2, 0, 0, 0],         // sat
        [0, 2, 0, 0],         // the
    ];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fathom-onnx-" + Guid.NewGuid().ToString("N"));

    public OnnxEmbeddingGeneratorTests()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllBytes(Path.Combine(_folder, "model.onnx"), OnnxModelWriter.EmbeddingLookupModel(Table));
        File.WriteAllLines(Path.Combine(_folder, "vocab.txt"), Vocabulary);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static float[] Unit(params float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    [Fact]
    public async Task Mean_pools_token_vectors_over_the_attention_mask_and_normalises()
    {
        using var generator = EmbeddingGeneratorFactory.Create(new EmbeddingOptions { Provider = EmbeddingProvider.Onnx, ModelPath = _folder, Dimension = 4 });

        // One batch: "Cat" is padded to the length of the longer text.
        var embeddings = await generator.GenerateAsync(["Cat", "the dog sat", "cat zebra"]);

        // [CLS] cat [SEP] → mean (1,1,2,0)/3 → unit (1,1,2,0)/√6
        AssertClose(Unit(1, 1, 2, 0), embeddings[0].Vector.ToArray());
        // [CLS] the dog sat [SEP] → (1+2, 1+2, 0, 2)/5 → unit (3,3,0,2)
        AssertClose(Unit(3, 3, 0, 2), embeddings[1].Vector.ToArray());
        // an unknown word maps to [UNK]: [CLS] cat [UNK] [SEP] → (1,1,2,3)
        AssertClose(Unit(1, 1, 2, 3), embeddings[2].Vector.ToArray());
        Assert.Equal(4, generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions);
    }

    [Fact]
    public async Task Long_text_is_truncated_to_max_tokens()
    {
        using var generator = new OnnxEmbeddingGenerator(Path.Combine(_folder, "model.onnx"), maxTokens: 4);

        var embedding = await generator.GenerateAsync("cat dog dog dog dog dog");

        // [CLS] cat dog [SEP] → (1,1,2,2)
        AssertClose(Unit(1, 1, 2, 2), embedding.Vector.ToArray());
    }

    [Fact]
    public void Model_folder_without_vocabulary_is_reported()
    {
        File.Delete(Path.Combine(_folder, "vocab.txt"));

        var error = Assert.Throws<FileNotFoundException>(() => new OnnxEmbeddingGenerator(_folder));

        Assert.Contains("vocab.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mean_pool_ignores_masked_tokens()
    {
        // batch 2, sequence 3, hidden 2
        float[] hidden = [1, 2, 3, 4, 50, 50, /* row 2 */ 2, 2, 4, 4, 6, 6];
        long[] mask = [1, 1, 0, 1, 1, 1];

        var pooled = SentenceEmbeddingPooling.MeanPool(hidden, mask, batchSize: 2, sequenceLength: 3, hiddenSize: 2);

        Assert.Equal([2f, 3f], pooled[0]);
        Assert.Equal([4f, 4f], pooled[1]);
    }

    [Fact]
    public void Mean_pool_of_fully_masked_row_is_zero_and_normalise_keeps_zero()
    {
        var pooled = SentenceEmbeddingPooling.MeanPool([5f, 5f], [0L], batchSize: 1, sequenceLength: 1, hiddenSize: 2);
        SentenceEmbeddingPooling.L2Normalize(pooled[0]);

        Assert.Equal([0f, 0f], pooled[0]);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 4);
        }
    }
}
