using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Fathom.Knowledge.Embeddings;

/// <summary>
/// Runs a local sentence-embedding model in ONNX format (the sentence-transformers export layout,
/// e.g. all-MiniLM-L6-v2: <c>model.onnx</c> with <c>vocab.txt</c> beside it). Text is WordPiece-
/// tokenised with the model's vocabulary, the model runs on the CPU, token vectors are mean-pooled
/// over the attention mask and L2-normalised. Models that already output a pooled
/// [batch, hidden] tensor are used as they are (then only normalised). Nothing is downloaded.
/// </summary>
public sealed class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ModelFileName = "model.onnx";
    public const string VocabularyFileName = "vocab.txt";

    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string TokenTypeIds = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly string _outputName;
    private readonly bool _feedsTokenTypes;
    private readonly int _maxTokens;
    private readonly int _batchSize;

    /// <param name="modelPath">The model folder, or the .onnx file itself (vocab.txt must sit beside it).</param>
    /// <param name="modelId">Reported as the embeddings' model id; defaults to the folder name.</param>
    /// <param name="maxTokens">Longer texts are truncated to this many tokens, [CLS] and [SEP] included.</param>
    /// <param name="batchSize">Texts per model run.</param>
    public OnnxEmbeddingGenerator(string modelPath, string? modelId = null, int maxTokens = 256, int batchSize = 16)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 3);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);

        var (modelFile, vocabularyFile) = ResolveFiles(modelPath);
        _tokenizer = BertTokenizer.Create(vocabularyFile, new BertOptions { LowerCaseBeforeTokenization = true });
        _session = new InferenceSession(modelFile);
        _maxTokens = maxTokens;
        _batchSize = batchSize;

        var inputs = _session.InputMetadata;
        if (!inputs.ContainsKey(InputIds) || !inputs.ContainsKey(AttentionMask))
        {
            _session.Dispose();
            throw new InvalidOperationException($"The ONNX model '{modelFile}' needs inputs '{InputIds}' and '{AttentionMask}' (it has: {string.Join(", ", inputs.Keys)}).");
        }

        _feedsTokenTypes = inputs.ContainsKey(TokenTypeIds);
        _outputName = _session.OutputMetadata.ContainsKey("last_hidden_state") ? "last_hidden_state" : _session.OutputNames[0];
        var outputDimensions = _session.OutputMetadata[_outputName].Dimensions;
        int? dimension = outputDimensions.Length > 0 && outputDimensions[^1] > 0 ? outputDimensions[^1] : null;

        ModelId = modelId ?? new DirectoryInfo(Path.GetDirectoryName(modelFile)!).Name;
        Metadata = new EmbeddingGeneratorMetadata("onnx", new Uri(Path.GetFullPath(modelFile)), ModelId, dimension);
    }

    public string ModelId { get; }

    public EmbeddingGeneratorMetadata Metadata { get; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        for (var offset = 0; offset < texts.Count; offset += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = texts.GetRange(offset, Math.Min(_batchSize, texts.Count - offset));
            foreach (var vector in EmbedBatch(batch, cancellationToken))
            {
                if (options?.Dimensions is { } requested && requested != vector.Length)
                {
                    throw new InvalidOperationException($"The ONNX model produces {vector.Length} dimensions, not {requested}.");
                }

                embeddings.Add(new Embedding<float>(vector) { ModelId = ModelId });
            }
        }

        return Task.FromResult(embeddings);
    }

    private float[][] EmbedBatch(List<string> texts, CancellationToken cancellationToken)
    {
        var encoded = texts.Select(Encode).ToList();
        var sequenceLength = encoded.Max(ids => ids.Count);
        var batchSize = encoded.Count;
        var shape = new long[] { batchSize, sequenceLength };
        var inputIds = new long[batchSize * sequenceLength];
        var attentionMask = new long[batchSize * sequenceLength];
        Array.Fill(inputIds, _tokenizer.PaddingTokenId);
        for (var b = 0; b < batchSize; b++)
        {
            for (var t = 0; t < encoded[b].Count; t++)
            {
                inputIds[(b * sequenceLength) + t] = encoded[b][t];
                attentionMask[(b * sequenceLength) + t] = 1;
            }
        }

        var names = new List<string> { InputIds, AttentionMask };
        using var inputIdsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(attentionMask, shape);
        using var tokenTypesValue = _feedsTokenTypes ? OrtValue.CreateTensorValueFromMemory(new long[batchSize * sequenceLength], shape) : null;
        var values = new List<OrtValue> { inputIdsValue, maskValue };
        if (tokenTypesValue is not null)
        {
            names.Add(TokenTypeIds);
            values.Add(tokenTypesValue);
        }

        using var runOptions = new RunOptions();
        using var cancel = cancellationToken.Register(() => runOptions.Terminate = true);
        using var outputs = _session.Run(runOptions, names, values, [_outputName]);
        var output = outputs[0];
        var outputShape = output.GetTensorTypeAndShape().Shape;
        var data = output.GetTensorDataAsSpan<float>();

        float[][] vectors = outputShape.Length switch
        {
            3 => SentenceEmbeddingPooling.MeanPool(data, attentionMask, batchSize, sequenceLength, checked((int)outputShape[2])),
            2 => SplitRows(data, batchSize, checked((int)outputShape[1])),
            _ => throw new InvalidOperationException($"The ONNX model's output '{_outputName}' has shape [{string.Join(", ", outputShape)}]; expected [batch, sequence, hidden] or [batch, hidden]."),
        };

        foreach (var vector in vectors)
        {
            SentenceEmbeddingPooling.L2Normalize(vector);
        }

        return vectors;
    }

    // [CLS] tokens [SEP], truncated so that the whole sequence fits the model's limit.
    private List<int> Encode(string text)
    {
        var ids = new List<int>(_maxTokens) { _tokenizer.ClassificationTokenId };
        ids.AddRange(_tokenizer.EncodeToIds(text ?? string.Empty, _maxTokens - 2, addSpecialTokens: false, out _, out _));
        ids.Add(_tokenizer.SeparatorTokenId);
        return ids;
    }

    private static float[][] SplitRows(ReadOnlySpan<float> data, int rows, int width)
    {
        var result = new float[rows][];
        for (var r = 0; r < rows; r++)
        {
            result[r] = data.Slice(r * width, width).ToArray();
        }

        return result;
    }

    private static (string Model, string Vocabulary) ResolveFiles(string modelPath)
    {
        var model = Directory.Exists(modelPath) ? Path.Combine(modelPath, ModelFileName) : modelPath;
        if (!File.Exists(model))
        {
            throw new FileNotFoundException($"No ONNX model at '{model}'. Embeddings__ModelPath must name a folder with {ModelFileName} and {VocabularyFileName}, or the .onnx file.", model);
        }

        var vocabulary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(model))!, VocabularyFileName);
        if (!File.Exists(vocabulary))
        {
            throw new FileNotFoundException($"No {VocabularyFileName} beside the ONNX model '{model}'.", vocabulary);
        }

        return (model, vocabulary);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
            : serviceType == typeof(InferenceSession) ? _session
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose() => _session.Dispose();
}
