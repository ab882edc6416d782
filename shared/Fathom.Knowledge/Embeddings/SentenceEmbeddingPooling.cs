namespace Fathom.Knowledge.Embeddings;

/// <summary>Turns a transformer's token vectors into one sentence vector, as sentence-transformers models expect.</summary>
public static class SentenceEmbeddingPooling
{
    /// <summary>
    /// Mean of the token vectors whose attention mask is non-zero, per batch row.
    /// <paramref name="hiddenStates"/> is row-major [batch, sequence, hidden];
    /// <paramref name="attentionMask"/> is [batch, sequence]. A row with no attended token yields zeros.
    /// </summary>
    public static float[][] MeanPool(ReadOnlySpan<float> hiddenStates, ReadOnlySpan<long> attentionMask, int batchSize, int sequenceLength, int hiddenSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        if (hiddenStates.Length != batchSize * sequenceLength * hiddenSize)
        {
            throw new ArgumentException($"Expected {batchSize}×{sequenceLength}×{hiddenSize} hidden-state values, got {hiddenStates.Length}.", nameof(hiddenStates));
        }

        if (attentionMask.Length != batchSize * sequenceLength)
        {
            throw new ArgumentException($"Expected {batchSize}×{sequenceLength} mask values, got {attentionMask.Length}.", nameof(attentionMask));
        }

        var pooled = new float[batchSize][];
        for (var b = 0; b < batchSize; b++)
        {
            var sum = new float[hiddenSize];
            var attended = 0;
            for (var t = 0; t < sequenceLength; t++)
            {
                if (attentionMask[(b * sequenceLength) + t] == 0)
                {
                    continue;
                }

                attended++;
                var token = hiddenStates.Slice(((b * sequenceLength) + t) * hiddenSize, hiddenSize);
                for (var h = 0; h < hiddenSize; h++)
                {
                    sum[h] += token[h];
                }
            }

            if (attended > 0)
            {
                for (var h = 0; h < hiddenSize; h++)
                {
                    sum[h] /= attended;
                }
            }

            pooled[b] = sum;
        }

        return pooled;
    }

    /// <summary>Scales <paramref name="vector"/> to unit length in place; a zero vector stays zero.</summary>
    public static void L2Normalize(Span<float> vector)
    {
        var sum = 0d;
        foreach (var v in vector)
        {
            sum += v * (double)v;
        }

        if (sum <= 0d)
        {
            return;
        }

        var scale = (float)(1d / Math.Sqrt(sum));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }
}
