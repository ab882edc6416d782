namespace Fathom.Knowledge.Embeddings;

/// <summary>
/// The optional OpenAI-compatible chat model for generative answers, bound from the <c>Chat</c>
/// section (Chat__Endpoint, Chat__Model, Chat__ApiKey). Without a model, answers are extractive.
/// </summary>
public sealed class ChatModelOptions
{
    public const string SectionName = "Chat";

    /// <summary>Same rules as <see cref="EmbeddingOptions.Endpoint"/>.</summary>
    public string? Endpoint { get; set; }

    public string? Model { get; set; }

    public string? ApiKey { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Model);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!IsConfigured)
        {
            problems.Add("Chat__Model is required to use a chat model.");
        }

        if (!string.IsNullOrWhiteSpace(Endpoint) && !OpenAICompatibleClientFactory.TryParseEndpoint(Endpoint, out _))
        {
            problems.Add($"Chat__Endpoint must be an absolute http or https address (was '{Endpoint}').");
        }

        if (string.IsNullOrWhiteSpace(Endpoint) && string.IsNullOrWhiteSpace(ApiKey))
        {
            problems.Add("Chat__ApiKey is required when Chat__Endpoint is empty (api.openai.com).");
        }

        if (OpenAICompatibleClientFactory.KeylessAzureProblem(Endpoint, ApiKey, "Chat") is { } keyless)
        {
            problems.Add(keyless);
        }

        return problems;
    }
}
