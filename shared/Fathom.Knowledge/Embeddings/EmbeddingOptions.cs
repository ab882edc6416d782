namespace Fathom.Knowledge.Embeddings;

/// <summary>Which embedder a collection or process uses (settings value: hashed, openai, onnx).</summary>
public enum EmbeddingProvider
{
    /// <summary><see cref="HashedNgramEmbeddingGenerator"/>: no model, no network.</summary>
    Hashed,

    /// <summary>An OpenAI-compatible /v1/embeddings endpoint, or Azure OpenAI.</summary>
    OpenAI,

    /// <summary><see cref="OnnxEmbeddingGenerator"/>: a local ONNX sentence-embedding model.</summary>
    Onnx,
}

/// <summary>
/// Embedding settings, bound from the <c>Embeddings</c> configuration section
/// (Embeddings__Provider, __Endpoint, __Model, __ApiKey, __ModelPath, __Dimension).
/// </summary>
public sealed class EmbeddingOptions
{
    public const string SectionName = "Embeddings";

    public EmbeddingProvider Provider { get; set; } = EmbeddingProvider.Hashed;

    /// <summary>
    /// openai: base address of an OpenAI-compatible API (e.g. http://localhost:11434/v1; "/v1" is
    /// added when the address has no path), or an Azure OpenAI resource (https://NAME.openai.azure.com).
    /// Empty means api.openai.com.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>openai: the model name (Azure: the deployment name). onnx: optional model id to report.</summary>
    public string? Model { get; set; }

    /// <summary>openai: the API key. For Azure OpenAI, leave it empty to sign in with DefaultAzureCredential (in builds with Azure sign-in).</summary>
    public string? ApiKey { get; set; }

    /// <summary>onnx: the model folder (model.onnx + vocab.txt) or the .onnx file.</summary>
    public string? ModelPath { get; set; }

    /// <summary>
    /// Vector size. hashed: defaults to 384. openai: sent as the requested dimensions (text-embedding-3
    /// models can shorten) and checked on every answer. onnx: checked against the model's output.
    /// </summary>
    public int? Dimension { get; set; }

    /// <summary>The settings value of a provider: "hashed", "openai" or "onnx".</summary>
    public static string ProviderName(EmbeddingProvider provider) => provider switch
    {
        EmbeddingProvider.Hashed => "hashed",
        EmbeddingProvider.OpenAI => "openai",
        EmbeddingProvider.Onnx => "onnx",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>Parses "hashed", "openai" or "onnx" (any case); empty means hashed.</summary>
    public static bool TryParseProvider(string? value, out EmbeddingProvider provider)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "hashed":
                provider = EmbeddingProvider.Hashed;
                return true;
            case "openai":
                provider = EmbeddingProvider.OpenAI;
                return true;
            case "onnx":
                provider = EmbeddingProvider.Onnx;
                return true;
            default:
                provider = default;
                return false;
        }
    }

    /// <summary>Problems with these settings, phrased with the setting names an operator sets; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        switch (Provider)
        {
            case EmbeddingProvider.Hashed:
                if (Dimension is { } hashed && hashed is < HashedNgramEmbeddingGenerator.MinDimension or > HashedNgramEmbeddingGenerator.MaxDimension)
                {
                    problems.Add($"Embeddings__Dimension must be between {HashedNgramEmbeddingGenerator.MinDimension} and {HashedNgramEmbeddingGenerator.MaxDimension} for the hashed provider (was {hashed}).");
                }

                break;
            case EmbeddingProvider.OpenAI:
                if (string.IsNullOrWhiteSpace(Model))
                {
                    problems.Add("Embeddings__Model is required when Embeddings__Provider is openai (the model name, or the deployment name on Azure OpenAI).");
                }

                if (!string.IsNullOrWhiteSpace(Endpoint) && !OpenAICompatibleClientFactory.TryParseEndpoint(Endpoint, out _))
                {
                    problems.Add($"Embeddings__Endpoint must be an absolute http or https address (was '{Endpoint}').");
                }

                if (string.IsNullOrWhiteSpace(Endpoint) && string.IsNullOrWhiteSpace(ApiKey))
                {
                    problems.Add("Embeddings__ApiKey is required when Embeddings__Endpoint is empty (api.openai.com).");
                }

                if (OpenAICompatibleClientFactory.KeylessAzureProblem(Endpoint, ApiKey, "Embeddings") is { } keyless)
                {
                    problems.Add(keyless);
                }

                break;
            case EmbeddingProvider.Onnx:
                if (string.IsNullOrWhiteSpace(ModelPath))
                {
                    problems.Add("Embeddings__ModelPath is required when Embeddings__Provider is onnx (a folder with model.onnx and vocab.txt).");
                }

                break;
            default:
                problems.Add("Embeddings__Provider must be hashed, openai or onnx.");
                break;
        }

        if (Dimension is <= 0)
        {
            problems.Add($"Embeddings__Dimension must be positive (was {Dimension}).");
        }

        return problems;
    }
}
