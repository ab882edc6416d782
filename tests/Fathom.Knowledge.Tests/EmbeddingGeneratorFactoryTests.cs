using Fathom.Knowledge.Embeddings;

namespace Fathom.Knowledge.Tests;

public sealed class EmbeddingGeneratorFactoryTests
{
    [Fact]
    public void Default_options_give_the_hashed_embedder_with_384_dimensions()
    {
        using var generator = EmbeddingGeneratorFactory.Create(new EmbeddingOptions());

        var hashed = Assert.IsType<HashedNgramEmbeddingGenerator>(generator);
        Assert.Equal(384, hashed.Dimension);
    }

    [Fact]
    public void Hashed_dimension_is_configurable()
    {
        using var generator = EmbeddingGeneratorFactory.Create(new EmbeddingOptions { Dimension = 128 });

        Assert.Equal(128, Assert.IsType<HashedNgramEmbeddingGenerator>(generator).Dimension);
    }

    [Fact]
    public void OpenAI_without_model_or_key_explains_which_settings_are_missing()
    {
        var error = Assert.Throws<InvalidOperationException>(() => EmbeddingGeneratorFactory.Create(new EmbeddingOptions { Provider = EmbeddingProvider.OpenAI }));

        Assert.Contains("Embeddings__Model is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("Embeddings__ApiKey is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_endpoint_is_reported()
    {
        var problems = new EmbeddingOptions { Provider = EmbeddingProvider.OpenAI, Model = "m", Endpoint = "localhost:11434" }.Validate();

        Assert.Contains(problems, p => p.StartsWith("Embeddings__Endpoint must be an absolute http or https address", StringComparison.Ordinal));
    }

    [Fact]
    public void Onnx_without_model_path_is_reported()
    {
        var error = Assert.Throws<InvalidOperationException>(() => EmbeddingGeneratorFactory.Create(new EmbeddingOptions { Provider = EmbeddingProvider.Onnx }));

        Assert.Contains("Embeddings__ModelPath is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Onnx_with_missing_model_file_names_the_path()
    {
        var folder = Path.Combine(Path.GetTempPath(), "fathom-no-model-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<FileNotFoundException>(() => EmbeddingGeneratorFactory.Create(new EmbeddingOptions { Provider = EmbeddingProvider.Onnx, ModelPath = folder }));

        Assert.Contains(folder, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hashed", EmbeddingProvider.Hashed)]
    [InlineData("OpenAI", EmbeddingProvider.OpenAI)]
    [InlineData("onnx", EmbeddingProvider.Onnx)]
    [InlineData("", EmbeddingProvider.Hashed)]
    public void Provider_names_parse(string value, EmbeddingProvider expected)
    {
        Assert.True(EmbeddingOptions.TryParseProvider(value, out var provider));
        Assert.Equal(expected, provider);
        Assert.False(EmbeddingOptions.TryParseProvider("word2vec", out _));
        Assert.Equal("openai", EmbeddingOptions.ProviderName(EmbeddingProvider.OpenAI));
    }
}
