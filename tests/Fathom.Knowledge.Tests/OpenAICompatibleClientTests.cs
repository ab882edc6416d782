using System.Text.Json;
using Fathom.Knowledge.Embeddings;
using Microsoft.Extensions.AI;

namespace Fathom.Knowledge.Tests;

public sealed class OpenAICompatibleClientTests
{
    [Fact]
    public async Task EmbedderFromOptionsCallsTheServerAndReturnsItsVectors()
    {
        await using var server = await OpenAICompatibleServer.StartAsync(dimension: 6);
        using var generator = EmbeddingGeneratorFactory.Create(new EmbeddingOptions
        {
            Provider = EmbeddingProvider.OpenAI,
            Endpoint = server.BaseAddress.ToString(), // no /v1: the factory adds it
            Model = "test-embedding",
            ApiKey = "sk-test",
            Dimension = 6,
        });

        var embeddings = await generator.GenerateAsync(["alpha", "beta gamma"]);

        Assert.Equal(OpenAICompatibleServer.VectorFor("alpha", 0, 6), embeddings[0].Vector.ToArray());
        Assert.Equal(OpenAICompatibleServer.VectorFor("beta gamma", 1, 6), embeddings[1].Vector.ToArray());
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal("Bearer sk-test", request.Authorization);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("test-embedding", body.RootElement.GetProperty("model").GetString());
        Assert.Equal(["alpha", "beta gamma"], body.RootElement.GetProperty("input").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(6, body.RootElement.GetProperty("dimensions").GetInt32());
    }

    [Fact]
    public async Task EndpointWithV1PathAndNoKeyWorksForLocalServers()
    {
        await using var server = await OpenAICompatibleServer.StartAsync(dimension: 4);
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(new EmbeddingOptions
        {
            Provider = EmbeddingProvider.OpenAI,
            Endpoint = new Uri(server.BaseAddress, "/v1").ToString(),
            Model = "nomic-embed-text",
        });

        var embedding = await generator.GenerateAsync("hello");

        Assert.Equal(OpenAICompatibleServer.VectorFor("hello", 0, 4), embedding.Vector.ToArray());
        Assert.Equal("/v1/embeddings", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task VectorsOfTheWrongSizeAreRejectedWithAClearMessage()
    {
        await using var server = await OpenAICompatibleServer.StartAsync(dimension: 3);
        using var generator = EmbeddingGeneratorFactory.Create(new EmbeddingOptions
        {
            Provider = EmbeddingProvider.OpenAI,
            Endpoint = server.BaseAddress.ToString(),
            Model = "test-embedding",
            Dimension = 8,
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(["alpha"]));

        Assert.Equal("The embedding model returned 3-dimensional vectors, but 8 are configured.", error.Message);
    }

    [Fact]
    public async Task ChatClientFromOptionsGetsAnAnswerFromTheServer()
    {
        await using var server = await OpenAICompatibleServer.StartAsync(dimension: 4);
        using var chat = OpenAICompatibleClientFactory.TryCreateChatClient(new ChatModelOptions { Endpoint = server.BaseAddress.ToString(), Model = "test-chat", ApiKey = "sk-chat" });

        Assert.NotNull(chat);
        var response = await chat.GetResponseAsync("What is Fathom?");

        Assert.Equal("You asked: What is Fathom?", response.Text);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer sk-chat", request.Authorization);
    }

    [Fact]
    public void UnconfiguredChatGivesNoClient()
    {
        Assert.Null(OpenAICompatibleClientFactory.TryCreateChatClient(new ChatModelOptions()));
    }

    [Theory]
    [InlineData("https://myres.openai.azure.com/", true)]
    [InlineData("https://myres.cognitiveservices.azure.com", true)]
    [InlineData("https://api.openai.com/v1", false)]
    [InlineData("http://localhost:11434/v1", false)]
    public void AzureEndpointsAreRecognisedByHost(string endpoint, bool azure)
    {
        Assert.Equal(azure, OpenAICompatibleClientFactory.IsAzureOpenAIEndpoint(new Uri(endpoint)));
    }

    [Fact]
    public void AzureEndpointWithoutKeyBuildsAnEmbedderWithoutCallingAnything()
    {
        // DefaultAzureCredential only acquires a token on the first request, so construction works offline.
        using var generator = EmbeddingGeneratorFactory.Create(new EmbeddingOptions
        {
            Provider = EmbeddingProvider.OpenAI,
            Endpoint = "https://fathom-test.openai.azure.com",
            Model = "embeddings-deployment",
        });

        Assert.NotNull(generator.GetService<EmbeddingGeneratorMetadata>());
    }
}
