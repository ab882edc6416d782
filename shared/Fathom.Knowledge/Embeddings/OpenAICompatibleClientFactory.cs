using Fathom.Connections.Entra;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fathom.Knowledge.Embeddings;

/// <summary>
/// Builds Microsoft.Extensions.AI clients (<see cref="OpenAIEmbedder"/>, <see cref="OpenAIChatModel"/>) for
/// OpenAI-compatible servers (OpenAI, Ollama, vLLM, LM Studio, …) and for Azure OpenAI, chosen by the endpoint's host.
/// Azure without an API key signs in with DefaultAzureCredential (workload identity in the cluster) in builds that
/// have Azure sign-in.
/// </summary>
public static class OpenAICompatibleClientFactory
{
    // Local servers ignore the key; a placeholder is sent, as the OpenAI SDK did, so every server sees the same request.
    private const string PlaceholderApiKey = "unused";

    public static IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (options.Provider != EmbeddingProvider.OpenAI)
        {
            problems = [.. problems, "Embeddings__Provider must be openai for an OpenAI-compatible embedder."];
        }

        ThrowIfInvalid("embedding", problems);
        var client = CreateClient(options.Endpoint, options.ApiKey, "Embeddings");
        return new OpenAIEmbedder(client, options.Model!, options.Dimension);
    }

    public static IChatClient CreateChatClient(ChatModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfInvalid("chat", options.Validate());
        return new OpenAIChatModel(CreateClient(options.Endpoint, options.ApiKey, "Chat"), options.Model!);
    }

    /// <summary>The chat client, or null when no chat model is configured (answers are then extractive).</summary>
    public static IChatClient? TryCreateChatClient(ChatModelOptions options) =>
        options is { IsConfigured: true } ? CreateChatClient(options) : null;

    private const string AzureCognitiveServicesScope = "https://cognitiveservices.azure.com/.default";

    /// <summary>True for Azure OpenAI and Azure AI Foundry hosts, which use deployment routes and Entra ID.</summary>
    public static bool IsAzureOpenAIEndpoint(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var host = endpoint.Host;
        return host.EndsWith(".openai.azure.com", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".cognitiveservices.azure.com", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".services.ai.azure.com", StringComparison.OrdinalIgnoreCase);
    }

    public static bool TryParseEndpoint(string? value, out Uri endpoint)
    {
        endpoint = null!;
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }

        endpoint = parsed;
        return true;
    }

    /// <summary>
    /// The problem with signing in to <paramref name="endpointText"/> with no key in this build, or null: an Azure OpenAI
    /// endpoint without a key signs in with Microsoft Entra, which a build without Azure sign-in cannot.
    /// </summary>
    public static string? KeylessAzureProblem(string? endpointText, string? apiKey, string settings) =>
        string.IsNullOrWhiteSpace(apiKey) && !AzureSignIn.IsSupported && TryParseEndpoint(endpointText, out var endpoint) && IsAzureOpenAIEndpoint(endpoint)
            ? AzureSignIn.NotInThisBuild($"{settings}__Endpoint is Azure OpenAI and {settings}__ApiKey is empty, so it would sign in with Microsoft Entra")
            : null;

    private static OpenAICompatibleClient CreateClient(string? endpointText, string? apiKey, string settings)
    {
        var hasKey = !string.IsNullOrWhiteSpace(apiKey);
        if (string.IsNullOrWhiteSpace(endpointText))
        {
            return WithKey(OpenAIEndpoint, apiKey!);
        }

        if (!TryParseEndpoint(endpointText, out var endpoint))
        {
            throw new InvalidOperationException($"'{endpointText}' is not an absolute http or https address.");
        }

        if (IsAzureOpenAIEndpoint(endpoint))
        {
            // Azure OpenAI's v1 API speaks the OpenAI protocol under /openai/v1/, with the key as a bearer value or an
            // Entra ID token (workload identity in the cluster).
            var azure = new Uri(endpoint, "/openai/v1/");
            if (hasKey)
            {
                return WithKey(azure, apiKey!);
            }
            var tokens = new EntraTokenSource(new EntraResource($"{settings}__Endpoint", "Azure OpenAI", AzureCognitiveServicesScope),
                AzureSignIn.Credential("Azure OpenAI without an API key"), TimeProvider.System, AzureIdentityOptions.DefaultRefreshMargin, NullLogger.Instance);
            return new OpenAICompatibleClient(azure, async ct => (await tokens.GetTokenAsync(ct).ConfigureAwait(false)).Token, TimeProvider.System);
        }

        return WithKey(WithApiPath(endpoint), hasKey ? apiKey! : PlaceholderApiKey);
    }

    private static readonly Uri OpenAIEndpoint = new("https://api.openai.com/v1/");

    private static OpenAICompatibleClient WithKey(Uri endpoint, string key) => new(endpoint, _ => ValueTask.FromResult(key), TimeProvider.System);

    // The client appends "embeddings" or "chat/completions" to the endpoint; servers serve them under /v1.
    private static Uri WithApiPath(Uri endpoint) =>
        endpoint.AbsolutePath is "" or "/" ? new Uri(endpoint, "/v1") : endpoint;

    private static void ThrowIfInvalid(string what, IReadOnlyList<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"The {what} model settings are invalid: {string.Join(" ", problems)}");
        }
    }
}
