using Fathom.Testing;
using Fathom.Knowledge.Embeddings;
using Microsoft.Extensions.AI;

namespace Fathom.Knowledge.Tests;

public sealed class OpenAICompatibleClientTests
{
    [Fact]
    public async Task Embedder_from_options_calls_the_server_and_returns_its_vectors()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var generator = EmbeddingGeneratorFactory.Create(new EmbeddingOptions
        {
            Provider = EmbeddingProvider.OpenAI,
            Endpoint = server.Root.ToString(), // no /v1: the factory adds it
            Model = "test-embedding",
            ApiKey = "sk-test",
            Dimension = 6,
        });

        var embeddings = await generator.GenerateAsync(["alpha", "beta gamma"]);

        Assert.Equal(FakeOpenAIServer.VectorFor("alpha", 6), embeddings[0].Vector.ToArray());
        Assert.Equal(FakeOpenAIServer.VectorFor("beta gamma", 6), embeddings[1].Vector.ToArray());
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal("Bearer sk-test", request.Authorization);
        Assert.Equal("test-embedding", request.Body["model"]!.GetValue<string>());
        Assert.Equal(["alpha", "beta gamma"], request.Body["input"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(6, request.Body["dimensions"]!.GetValue<int>());
    }

    [Fact]
    public async Task Endpoint_with_V1_path_and_no_key_works_for_local_servers()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(new EmbeddingOptions
        {
            Provider = EmbeddingProvider.OpenAI,
            Endpoint = server.BaseAddress,
            Model = "nomic-embed-text",
        });

        var embedding = await generator.GenerateAsync("hello");

        Assert.Equal(FakeOpenAIServer.VectorFor("hello", FakeOpenAIServer.DefaultDimensions), embedding.Vector.ToArray());
        Assert.Equal("/v1/embeddings", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task One_embedder_serves_concurrent_callers_each_their_own_vectors()
    {
        // Ingestion embeds several documents at once through the one embedder a collection's settings share.
        await using var server = await FakeOpenAIServer.StartAsync();
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(new EmbeddingOptions { Provider = EmbeddingProvider.OpenAI, Endpoint = server.BaseAddress, Model = "m", Dimension = 12 });
        var texts = Enumerable.Range(0, 24).Select(i => new string((char)('a' + i), i + 1) + " keel").ToList();

        var results = await Task.WhenAll(texts.Select(t => generator.GenerateAsync([t, t + " boat"])));

        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal(FakeOpenAIServer.VectorFor(texts[i], 12), results[i][0].Vector.ToArray());
            Assert.Equal(FakeOpenAIServer.VectorFor(texts[i] + " boat", 12), results[i][1].Vector.ToArray());
        }
        Assert.Equal(texts.Count, server.EmbeddingCalls);
    }

    [Fact]
    public async Task Vectors_of_the_wrong_size_are_rejected_with_a_clear_message()
    {
        await using var server = await FakeOpenAIServer.StartAsync(fixedDimensions: 3);
        using var generator = EmbeddingGeneratorFactory.Create(new EmbeddingOptions
        {
            Provider = EmbeddingProvider.OpenAI,
            Endpoint = server.Root.ToString(),
            Model = "test-embedding",
            Dimension = 8,
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(["alpha"]));

        Assert.Equal("The embedding model returned 3-dimensional vectors, but 8 are configured.", error.Message);
    }

    [Fact]
    public async Task Chat_client_from_options_gets_an_answer_from_the_server()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var chat = OpenAICompatibleClientFactory.TryCreateChatClient(new ChatModelOptions { Endpoint = server.Root.ToString(), Model = "test-chat", ApiKey = "sk-chat" });

        Assert.NotNull(chat);
        var response = await chat.GetResponseAsync("What is Fathom?");

        Assert.Equal(FakeOpenAIServer.Answer, response.Text);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer sk-chat", request.Authorization);
        Assert.Equal("test-chat", request.Body["model"]!.GetValue<string>());
        Assert.Contains("What is Fathom?", request.Body["messages"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streamed_chat_sends_the_conversation_and_settings_and_says_why_it_stopped()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var chat = OpenAICompatibleClientFactory.CreateChatClient(new ChatModelOptions { Endpoint = server.BaseAddress, Model = "test-chat" });
        ChatMessage[] conversation = [new(ChatRole.System, "Cite sources."), new(ChatRole.User, "Hi"), new(ChatRole.Assistant, "Hello."), new(ChatRole.User, "What keeps a boat upright?")];
        var settings = new ChatOptions { MaxOutputTokens = 3, Temperature = 0.7f, TopP = 0.5f, StopSequences = ["END"], Seed = 7, PresencePenalty = 0.125f, FrequencyPenalty = 0.75f };

        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.GetStreamingResponseAsync(conversation, settings))
        {
            text.Append(update.Text);
            finish = update.FinishReason ?? finish;
        }

        Assert.Equal(string.Join(' ', FakeOpenAIServer.Answer.Split(' ').Take(3)), text.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
        var body = Assert.Single(server.ChatRequests);
        Assert.True(body["stream"]!.GetValue<bool>());
        Assert.Equal(["system", "user", "assistant", "user"], body["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()));
        Assert.Contains("What keeps a boat upright?", body["messages"]![3]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(3, body["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal("0.7", body["temperature"]!.ToJsonString()); // as written, not 0.699999988079071
        Assert.Equal(0.5, body["top_p"]!.GetValue<double>());
        Assert.Equal(["END"], body["stop"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(7, body["seed"]!.GetValue<long>());
        Assert.Equal(0.125, body["presence_penalty"]!.GetValue<double>());
        Assert.Equal(0.75, body["frequency_penalty"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_busy_server_is_asked_again_after_its_retry_after()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(new EmbeddingOptions { Provider = EmbeddingProvider.OpenAI, Endpoint = server.BaseAddress, Model = "m" });
        server.FailNext(429, times: 2, retryAfter: "0");

        var embedding = await generator.GenerateAsync("hello");

        Assert.Equal(FakeOpenAIServer.VectorFor("hello", FakeOpenAIServer.DefaultDimensions), embedding.Vector.ToArray());
        Assert.Equal(3, server.EmbeddingCalls);
    }

    [Fact]
    public async Task A_refusal_is_not_retried_and_says_what_the_server_said()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var chat = OpenAICompatibleClientFactory.CreateChatClient(new ChatModelOptions { Endpoint = server.BaseAddress, Model = "test-chat" });
        server.FailNext(400, message: "This model's maximum context length is 8192 tokens.");

        var error = await Assert.ThrowsAsync<ModelServerException>(() => chat.GetResponseAsync("What is Fathom?"));

        Assert.Equal(400, error.Status);
        Assert.Contains("This model's maximum context length is 8192 tokens.", error.Message, StringComparison.Ordinal);
        Assert.Single(server.ChatRequests);
    }

    [Fact]
    public async Task A_server_that_stays_down_fails_after_the_retries_with_its_status()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(new EmbeddingOptions { Provider = EmbeddingProvider.OpenAI, Endpoint = server.BaseAddress, Model = "m" });
        server.FailNext(503, times: OpenAICompatibleClient.MaxRetries + 1, retryAfter: "0", message: "overloaded");

        var error = await Assert.ThrowsAsync<ModelServerException>(() => generator.GenerateAsync(["hello"]));

        Assert.Equal(503, error.Status);
        Assert.Contains("overloaded", error.Message, StringComparison.Ordinal);
        Assert.Equal(OpenAICompatibleClient.MaxRetries + 1, server.EmbeddingCalls);
    }

    [Fact]
    public async Task A_stream_cut_off_before_the_answer_finished_is_an_error_not_a_short_answer()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var chat = OpenAICompatibleClientFactory.CreateChatClient(new ChatModelOptions { Endpoint = server.BaseAddress, Model = "test-chat" });
        server.CutNextStream();
        var received = new List<string>();

        var error = await Assert.ThrowsAsync<ModelServerException>(async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync("What keeps a boat upright?"))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal([FakeOpenAIServer.Answer.Split(' ')[0]], received);
        Assert.Contains("closed the stream before it finished the answer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unconfigured_chat_gives_no_client()
    {
        Assert.Null(OpenAICompatibleClientFactory.TryCreateChatClient(new ChatModelOptions()));
    }

    [Theory]
    [InlineData("https://myres.openai.azure.com/", true)]
    [InlineData("https://myres.cognitiveservices.azure.com", true)]
    [InlineData("https://api.openai.com/v1", false)]
    [InlineData("http://localhost:11434/v1", false)]
    public void Azure_endpoints_are_recognised_by_host(string endpoint, bool azure)
    {
        Assert.Equal(azure, OpenAICompatibleClientFactory.IsAzureOpenAIEndpoint(new Uri(endpoint)));
    }

    [Fact]
    public void Azure_endpoint_without_key_builds_an_embedder_without_calling_anything()
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
