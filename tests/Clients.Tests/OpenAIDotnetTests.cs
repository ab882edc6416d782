using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;
using Fathom.Knowledge.Chunking;
using Fathom.Knowledge.Embeddings;
using Fathom.Testing;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace Clients.Tests;

/// <summary>
/// The official OpenAI .NET SDK (the OpenAI package), unmodified, pointed at Fathom: what it returns, and the
/// message its exceptions carry, which is what a user of the SDK reads.
/// </summary>
[Collection(ClientsCollection.Name)]
public sealed class OpenAIDotnetTests(ClientsFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private OpenAIClient Client(string? key = null) => new(new ApiKeyCredential(key ?? fixture.ApiKey), new OpenAIClientOptions
    {
        Endpoint = fixture.OpenAIEndpoint,
        // A 429 or 5xx would otherwise be retried, and the test would see the retry's answer.
        RetryPolicy = new ClientRetryPolicy(0),
    });

    private static int Tokens(string text) => TextChunker.DefaultTokenizer.CountTokens(text);

    [Fact]
    public async Task Models_list_the_collections_and_embedders_and_one_is_read_by_its_id()
    {
        var models = Client().GetOpenAIModelClient();

        var all = (await models.GetModelsAsync()).Value.Select(m => m.Id).ToList();
        var one = (await models.GetModelAsync(ClientsFixture.Collection)).Value;
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => models.GetModelAsync("no-such-collection"));

        Assert.Contains(ClientsFixture.Collection, all);
        Assert.Contains(HashedNgramEmbeddingGenerator.ModelId, all);
        Assert.Contains("fake-embed", all);
        Assert.Equal(ClientsFixture.Collection, one.Id);
        Assert.Equal("fathom", one.OwnedBy);
        Assert.Equal(404, missing.Status);
        Assert.Contains("The model 'no-such-collection' does not exist", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chat_completion_answers_from_the_collection_lists_only_the_cited_source_and_counts_tokens()
    {
        fixture.Models.Clear();
        var chat = Client().GetChatClient(ClientsFixture.Collection);
        ChatMessage[] messages = [new SystemChatMessage("Answer briefly."), new UserChatMessage("What keeps a sailboat upright?")];

        var completion = (await chat.CompleteChatAsync(messages)).Value;

        var content = completion.Content[0].Text;
        Assert.StartsWith(FakeOpenAIServer.Answer, content, StringComparison.Ordinal);
        Assert.EndsWith("\n\nSources:\n[1] keel.txt", content, StringComparison.Ordinal);
        // sails.txt was retrieved and shown to the model as [2], but the answer does not cite it.
        Assert.Contains("sails.txt", Assert.Single(fixture.Models.ChatRequests).ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sails.txt", content, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(Tokens("Answer briefly.") + Tokens("What keeps a sailboat upright?"), completion.Usage.InputTokenCount);
        Assert.Equal(Tokens(content), completion.Usage.OutputTokenCount);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Earlier_turns_text_parts_and_sampling_parameters_reach_the_chat_model()
    {
        fixture.Models.Clear();
        var chat = Client().GetChatClient(ClientsFixture.Collection);
        ChatMessage[] messages =
        [
            new SystemChatMessage("You are a sailing instructor."),
            new UserChatMessage("What is a reef?"),
            new AssistantChatMessage("Reefing makes a sail smaller [2].\n\nSources:\n[2] sails.txt"),
            new UserChatMessage(ChatMessageContentPart.CreateTextPart("And what keeps"), ChatMessageContentPart.CreateTextPart("a sailboat upright?")),
        ];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 3, Temperature = 0.25f, TopP = 0.5f };
        options.StopSequences.Add("END");

        var completion = (await chat.CompleteChatAsync(messages, options)).Value;

        var sent = Assert.Single(fixture.Models.ChatRequests);
        Assert.Equal(3, (sent["max_completion_tokens"] ?? sent["max_tokens"])!.GetValue<int>());
        Assert.Equal(0.25, sent["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(0.5, sent["top_p"]!.GetValue<double>(), 3);
        Assert.Equal("END", sent["stop"] is JsonArray stop ? stop[0]!.GetValue<string>() : sent["stop"]!.GetValue<string>());
        var turns = sent["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.ToJsonString())).ToList();
        Assert.Equal(["system", "system", "user", "assistant", "user"], turns.Select(t => t.Item1));
        Assert.Contains("sailing instructor", turns[1].Item2, StringComparison.Ordinal);
        Assert.Contains("Reefing makes a sail smaller", turns[3].Item2, StringComparison.Ordinal);
        // Fathom's own sources list, sent back with its earlier answer, is not passed on.
        Assert.DoesNotContain("Sources:", turns[3].Item2, StringComparison.Ordinal);
        Assert.Contains("And what keeps\\na sailboat upright?", turns[4].Item2, StringComparison.Ordinal);
        // The model stopped at its token limit: the SDK reports it.
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.StartsWith("A keel keeps", completion.Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_streamed_completion_ends_with_the_usage_the_sdk_asked_for()
    {
        var chat = Client().GetChatClient(ClientsFixture.Collection);
        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("What keeps a sailboat upright?")]))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            usage = update.Usage ?? usage;
            finish = update.FinishReason ?? finish;
        }

        var content = text.ToString();
        Assert.Equal(FakeOpenAIServer.Answer + "\n\nSources:\n[1] keel.txt", content);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(Tokens("What keeps a sailboat upright?"), usage.InputTokenCount);
        Assert.Equal(Tokens(content), usage.OutputTokenCount);
        Assert.Equal(usage.InputTokenCount + usage.OutputTokenCount, usage.TotalTokenCount);
    }

    [Fact]
    public async Task Refused_chat_requests_surface_fathoms_reason_in_the_exception_message()
    {
        var chat = Client().GetChatClient(ClientsFixture.Collection);
        var image = ChatMessageContentPart.CreateImagePart(new Uri("https://example.test/boat.png"));

        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => Client().GetChatClient("no-such-collection").CompleteChatAsync([new UserChatMessage("hi")]));
        var withImage = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage(ChatMessageContentPart.CreateTextPart("What is this?"), image)]));
        // The SDK has no option for n; its protocol method sends the body as given.
        using var body = BinaryContent.Create(BinaryData.FromString("""{"model":"keels","n":2,"messages":[{"role":"user","content":"hi"}]}"""));
        var twoChoices = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(body));
        var badKey = await Assert.ThrowsAsync<ClientResultException>(() => Client("sk-not-a-fathom-key").GetChatClient(ClientsFixture.Collection).CompleteChatAsync([new UserChatMessage("hi")]));
        var revoked = await Assert.ThrowsAsync<ClientResultException>(() => Client("fth_00000000_nosuchkey").GetChatClient(ClientsFixture.Collection).CompleteChatAsync([new UserChatMessage("hi")]));

        // What a user of the SDK reads, in the test log.
        output.WriteLine(unknown.Message);
        output.WriteLine(twoChoices.Message);
        Assert.Equal(404, unknown.Status);
        Assert.Contains("The model 'no-such-collection' does not exist", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(400, withImage.Status);
        Assert.Contains("Content parts of type 'image_url' are not supported", withImage.Message, StringComparison.Ordinal);
        Assert.Equal(400, twoChoices.Status);
        Assert.Contains("'n' must be 1", twoChoices.Message, StringComparison.Ordinal);
        Assert.Equal(401, badKey.Status);
        Assert.Contains("neither a Fathom API key (fth_...) nor an access token", badKey.Message, StringComparison.Ordinal);
        Assert.Equal(401, revoked.Status);
        Assert.Contains("The API key is not valid.", revoked.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rate_limited_call_says_when_to_come_back()
    {
        var models = Client().GetOpenAIModelClient();

        // The route's budget is one call a minute: the first may pass (404, no such model), the second may not.
        await Assert.ThrowsAsync<ClientResultException>(() => models.GetModelAsync(ClientsFixture.DotnetRateLimitedModel));
        var limited = await Assert.ThrowsAsync<ClientResultException>(() => models.GetModelAsync(ClientsFixture.DotnetRateLimitedModel));

        Assert.Equal(429, limited.Status);
        Assert.Contains("Slow down: this caller may make 1 calls a minute", limited.Message, StringComparison.Ordinal);
        Assert.True(limited.GetRawResponse()!.Headers.TryGetValue("Retry-After", out _));
    }

    [Fact]
    public async Task Embeddings_come_from_a_collections_embedder_or_a_named_one_at_the_size_asked_for()
    {
        var client = Client();

        var fromCollection = (await client.GetEmbeddingClient(ClientsFixture.Collection).GenerateEmbeddingsAsync(["keel", "sail"])).Value;
        var shortened = (await client.GetEmbeddingClient(ClientsFixture.Collection).GenerateEmbeddingAsync("keel", new EmbeddingGenerationOptions { Dimensions = 4 })).Value;
        var hashed = (await client.GetEmbeddingClient(HashedNgramEmbeddingGenerator.ModelId).GenerateEmbeddingAsync("a keel beneath the hull", new EmbeddingGenerationOptions { Dimensions = 64 })).Value;
        // cl100k_base ids of "a keel beneath the hull", as tiktoken-based clients send them.
        var ids = TextChunker.DefaultTokenizer.EncodeToIds("a keel beneath the hull").ToArray();
        var fromTokens = (await client.GetEmbeddingClient("hashed").GenerateEmbeddingsAsync([new ReadOnlyMemory<int>(ids)], new EmbeddingGenerationOptions { Dimensions = 64 })).Value;

        Assert.Equal(2, fromCollection.Count);
        Assert.All(fromCollection, e => Assert.Equal(FakeOpenAIServer.DefaultDimensions, e.ToFloats().Length));
        Assert.Equal(4, shortened.ToFloats().Length);
        // Exactly the vector Fathom's hashed embedder makes: nothing lost in the (base64) wire format.
        var expected = new HashedNgramEmbeddingGenerator(64).Embed("a keel beneath the hull");
        Assert.Equal(expected, hashed.ToFloats().ToArray());
        Assert.Equal(expected, fromTokens[0].ToFloats().ToArray());
        Assert.Equal(Tokens("keel") + Tokens("sail"), fromCollection.Usage.InputTokenCount);
    }

    [Fact]
    public async Task Refused_embedding_requests_surface_fathoms_reason_in_the_exception_message()
    {
        var client = Client();

        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => client.GetEmbeddingClient("no-such-model").GenerateEmbeddingAsync("x"));
        var tooSmall = await Assert.ThrowsAsync<ClientResultException>(() => client.GetEmbeddingClient("hashed").GenerateEmbeddingAsync("x", new EmbeddingGenerationOptions { Dimensions = 8 }));
        // The SDK itself refuses a lone empty string; in a batch it is sent.
        var empty = await Assert.ThrowsAsync<ClientResultException>(() => client.GetEmbeddingClient("hashed").GenerateEmbeddingsAsync(["keel", ""]));
        var badTokens = await Assert.ThrowsAsync<ClientResultException>(() => client.GetEmbeddingClient("hashed").GenerateEmbeddingsAsync([new ReadOnlyMemory<int>([1, 2, 999_999])]));

        Assert.Equal(404, unknown.Status);
        Assert.Contains("The model 'no-such-model' does not exist", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(400, tooSmall.Status);
        Assert.Contains("The hashed embedder makes 16 to 4096 dimensions, not 8.", tooSmall.Message, StringComparison.Ordinal);
        Assert.Equal(400, empty.Status);
        Assert.Contains("'input[1]' must not be empty.", empty.Message, StringComparison.Ordinal);
        Assert.Equal(400, badTokens.Status);
        Assert.Contains("cl100k_base token ids", badTokens.Message, StringComparison.Ordinal);
    }
}
