using System.Buffers;
using Microsoft.ML.Tokenizers;

namespace Fathom.Knowledge.Chunking;

/// <summary>
/// A byte-pair-encoding tokenizer whose cost stays linear in the text. BPE merges within one pre-tokenized piece take
/// time quadratic in the piece's length, and cl100k_base's pieces are unbounded: a run of 100,000 letters, symbols or
/// spaces is one piece and takes minutes (measured: 100k 'a' 13.7 s, 40k '€' 15 s). This wrapper finds the pieces
/// first; text whose pieces are all at most <see cref="MaxPieceLength"/> characters goes to the inner tokenizer
/// unchanged (the same ids and counts), and a longer piece is encoded in parts of that length, which may
/// cost a token or so per part against encoding it whole.
/// </summary>
public sealed class BoundedTokenizer(Tokenizer inner) : Tokenizer
{
    public const int MaxPieceLength = 128;

    public override PreTokenizer? PreTokenizer => inner.PreTokenizer;

    public override Normalizer? Normalizer => inner.Normalizer;

    /// <summary>Segments of the text to encode one by one: whole runs of ordinary pieces, and each part of a long piece.</summary>
    private List<Range>? Segments(ReadOnlySpan<char> text)
    {
        if (inner.PreTokenizer is not { } pre || text.Length <= MaxPieceLength)
        {
            return null;
        }
        List<Range>? segments = null;
        var segmentStart = 0;
        foreach (var (offset, length) in pre.PreTokenize(text))
        {
            if (length <= MaxPieceLength)
            {
                continue;
            }
            segments ??= [];
            if (offset > segmentStart)
            {
                segments.Add(new Range(segmentStart, offset));
            }
            for (var at = offset; at < offset + length;)
            {
                var end = Math.Min(at + MaxPieceLength, offset + length);
                // Never between the halves of a surrogate pair.
                if (end < offset + length && char.IsHighSurrogate(text[end - 1]))
                {
                    end--;
                }
                segments.Add(new Range(at, end));
                at = end;
            }
            segmentStart = offset + length;
        }
        if (segments is not null && segmentStart < text.Length)
        {
            segments.Add(new Range(segmentStart, text.Length));
        }
        return segments;
    }

    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        if (Segments(span) is not { } segments)
        {
            return inner.CountTokens(span, settings.ConsiderPreTokenization, settings.ConsiderNormalization);
        }
        var total = 0;
        foreach (var segment in segments)
        {
            total += inner.CountTokens(span[segment], settings.ConsiderPreTokenization, settings.ConsiderNormalization);
        }
        return total;
    }

    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        if (Segments(span) is not { } segments)
        {
            var whole = inner.EncodeToTokens(span, out var normalized, settings.ConsiderPreTokenization, settings.ConsiderNormalization);
            return new EncodeResults<EncodedToken> { Tokens = whole, NormalizedText = normalized, CharsConsumed = span.Length };
        }
        var tokens = new List<EncodedToken>();
        foreach (var segment in segments)
        {
            var start = segment.Start.GetOffset(span.Length);
            foreach (var token in inner.EncodeToTokens(span[segment], out _, settings.ConsiderPreTokenization, settings.ConsiderNormalization))
            {
                tokens.Add(new EncodedToken(token.Id, token.Value, new Range(token.Offset.Start.Value + start, token.Offset.End.Value + start)));
            }
        }
        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = null, CharsConsumed = span.Length };
    }

    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        var max = settings.MaxTokenCount;
        if (Segments(span) is not { } segments)
        {
            var whole = inner.EncodeToIds(span, max, out var normalized, out var consumed, settings.ConsiderPreTokenization, settings.ConsiderNormalization);
            return new EncodeResults<int> { Tokens = whole, NormalizedText = normalized, CharsConsumed = consumed };
        }
        var ids = new List<int>();
        var charsConsumed = 0;
        foreach (var segment in segments)
        {
            var (start, length) = segment.GetOffsetAndLength(span.Length);
            if (ids.Count >= max)
            {
                break;
            }
            var part = inner.EncodeToIds(span.Slice(start, length), max - ids.Count, out _, out var consumed, settings.ConsiderPreTokenization, settings.ConsiderNormalization);
            ids.AddRange(part);
            charsConsumed = start + consumed;
            if (consumed < length || ids.Count >= max)
            {
                break;
            }
        }
        return new EncodeResults<int> { Tokens = ids, NormalizedText = null, CharsConsumed = charsConsumed };
    }

    protected override int GetIndexByTokenCount(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, bool fromEnd, out string? normalizedText, out int tokenCount)
    {
        var span = text is null ? textSpan : text.AsSpan();
        var max = settings.MaxTokenCount;
        if (Segments(span) is not { } segments)
        {
            return fromEnd
                ? inner.GetIndexByTokenCountFromEnd(span, max, out normalizedText, out tokenCount, settings.ConsiderPreTokenization, settings.ConsiderNormalization)
                : inner.GetIndexByTokenCount(span, max, out normalizedText, out tokenCount, settings.ConsiderPreTokenization, settings.ConsiderNormalization);
        }
        normalizedText = null;
        tokenCount = 0;
        if (fromEnd)
        {
            for (var i = segments.Count - 1; i >= 0; i--)
            {
                var (start, length) = segments[i].GetOffsetAndLength(span.Length);
                var count = inner.CountTokens(span.Slice(start, length), settings.ConsiderPreTokenization, settings.ConsiderNormalization);
                if (tokenCount + count > max)
                {
                    if (tokenCount == max)
                    {
                        return start + length;
                    }
                    var index = inner.GetIndexByTokenCountFromEnd(span.Slice(start, length), max - tokenCount, out _, out var taken, settings.ConsiderPreTokenization, settings.ConsiderNormalization);
                    tokenCount += taken;
                    return start + index;
                }
                tokenCount += count;
            }
            return 0;
        }
        foreach (var segment in segments)
        {
            var (start, length) = segment.GetOffsetAndLength(span.Length);
            var count = inner.CountTokens(span.Slice(start, length), settings.ConsiderPreTokenization, settings.ConsiderNormalization);
            if (tokenCount + count > max)
            {
                if (tokenCount == max)
                {
                    return start;
                }
                var index = inner.GetIndexByTokenCount(span.Slice(start, length), max - tokenCount, out _, out var taken, settings.ConsiderPreTokenization, settings.ConsiderNormalization);
                tokenCount += taken;
                return start + index;
            }
            tokenCount += count;
        }
        return span.Length;
    }

    public override string Decode(IEnumerable<int> ids) => inner.Decode(ids);

    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
        => inner.Decode(ids, destination, out idsConsumed, out charsWritten);
}
