using Fathom.Knowledge.Parsing;
using Fathom.Knowledge.TextProcessing;
using Microsoft.ML.Tokenizers;

namespace Fathom.Knowledge.Chunking;

/// <summary>
/// Splits parsed documents into token-bounded chunks. Inside each section it fills a chunk up to
/// ChunkSize tokens and then cuts at the strongest boundary in the chunk's second half (blank line,
/// then sentence end, then line break, then any space); the next chunk starts about ChunkOverlap
/// tokens before the cut, on a word start. Only a single word longer than a whole chunk is cut
/// inside. The result depends only on the input and the options, so re-ingesting a file yields the
/// same chunks.
/// </summary>
public sealed class TextChunker
{
    // Bounded: a text with one enormous pre-token (100k letters without a space) would otherwise take minutes.
    private static readonly Lazy<Tokenizer> Cl100kBase = new(() => new BoundedTokenizer(TiktokenTokenizer.CreateForEncoding("cl100k_base")), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Tokenizer _tokenizer;
    private readonly int _chunkSize;
    private readonly int _chunkOverlap;

    public TextChunker(ChunkingOptions options)
        : this(options, DefaultTokenizer)
    {
    }

    public TextChunker(ChunkingOptions options, Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _tokenizer = tokenizer;
        _chunkSize = options.ChunkSize;
        _chunkOverlap = options.ChunkOverlap;
    }

    /// <summary>
    /// The cl100k_base tokenizer (data shipped in a package, loaded once, thread-safe), kept linear in the text by
    /// <see cref="BoundedTokenizer"/>.
    /// </summary>
    public static Tokenizer DefaultTokenizer => Cl100kBase.Value;

    public int CountTokens(string text) => _tokenizer.CountTokens(text);

    /// <summary>Chunks every section of <paramref name="document"/>, numbering chunks from 0 across the document.</summary>
    public IReadOnlyList<Chunk> Split(ParsedDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var chunks = new List<Chunk>();
        foreach (var section in document.Sections)
        {
            foreach (var (text, tokens) in SplitText(section.Text, cancellationToken))
            {
                chunks.Add(new Chunk(chunks.Count, text, section.Page, section.Heading, tokens));
            }
        }

        return chunks;
    }

    /// <summary>Chunks one normalised text; each item is the chunk text and its token count.</summary>
    public IEnumerable<(string Text, int TokenCount)> SplitText(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var boundaries = FindBoundaries(text);
        var start = SkipWhitespace(text, 0);
        var previousCut = -1;

        while (start < text.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (cut, resume) = ChooseCut(text, boundaries, start, minimumCut: previousCut + 1);
            var chunkText = text[start..cut].Trim();
            if (chunkText.Length > 0)
            {
                yield return (chunkText, _tokenizer.CountTokens(chunkText));
            }

            if (resume >= text.Length)
            {
                yield break;
            }

            start = OverlapStart(text, boundaries, start, cut, resume);
            previousCut = cut;
        }
    }

    // Returns where this chunk ends (exclusive) and where the text after it resumes (past the whitespace).
    private (int Cut, int Resume) ChooseCut(string text, List<Boundary> boundaries, int start, int minimumCut)
    {
        var limit = FitEnd(text, start, _chunkSize);
        while (true)
        {
            if (limit >= text.Length)
            {
                return (text.Length, text.Length);
            }

            var best = BestBoundary(boundaries, start, Math.Max(minimumCut, start + 1), limit);
            if (best is { } boundary)
            {
                var cut = boundary.Start;
                if (_tokenizer.CountTokens(text.AsSpan(start, cut - start).Trim()) <= _chunkSize)
                {
                    return (cut, boundary.End);
                }

                // Token counts are not strictly additive; retry with a shorter limit in the rare case they overshoot.
                limit = cut - 1;
                continue;
            }

            // No whitespace to cut at: a single word longer than a chunk. Cut it where the tokens run out.
            var hardCut = Math.Max(start + _tokenizer.GetIndexByTokenCount(text.AsSpan(start, limit - start), _chunkSize, out _, out _), start + 1);
            if (hardCut < text.Length && char.IsLowSurrogate(text[hardCut]) && hardCut - 1 > start)
            {
                hardCut--;
            }

            return (hardCut, hardCut);
        }
    }

    // The furthest index such that text[start..index] encodes to at most maxTokens tokens.
    private int FitEnd(string text, int start, int maxTokens)
    {
        // Tokenise a window, not the whole rest of a long section; widen it if everything fitted.
        var window = Math.Min(text.Length - start, (maxTokens * 8) + 64);
        while (true)
        {
            var fit = _tokenizer.GetIndexByTokenCount(text.AsSpan(start, window), maxTokens, out _, out _);
            if (fit < window || start + window >= text.Length)
            {
                return start + fit;
            }

            window = Math.Min(text.Length - start, window * 2);
        }
    }

    private static Boundary? BestBoundary(List<Boundary> boundaries, int start, int lowest, int limit)
    {
        var first = FirstStartingAtOrAfter(boundaries, lowest);
        var half = start + ((limit - start) / 2);
        Boundary? best = null;
        Boundary? latestAnywhere = null;
        for (var i = first; i < boundaries.Count && boundaries[i].Start <= limit; i++)
        {
            var candidate = boundaries[i];
            latestAnywhere = candidate;
            if (candidate.Start >= half && (best is null || candidate.Level >= best.Value.Level))
            {
                best = candidate;
            }
        }

        return best ?? latestAnywhere;
    }

    // The next chunk repeats about ChunkOverlap tokens before the cut, starting on a word.
    private int OverlapStart(string text, List<Boundary> boundaries, int start, int cut, int resume)
    {
        if (_chunkOverlap == 0 || cut <= start)
        {
            return resume;
        }

        var tail = start + _tokenizer.GetIndexByTokenCountFromEnd(text.AsSpan(start, cut - start), _chunkOverlap, out _, out _);
        if (tail >= cut)
        {
            return resume;
        }

        if (resume == cut)
        {
            return Math.Max(tail, start + 1); // inside an over-long word there are no word starts to snap to
        }

        var index = FirstEndingAtOrAfter(boundaries, tail);
        var wordStart = index < boundaries.Count ? boundaries[index].End : resume;
        return wordStart > start && wordStart < cut ? wordStart : resume;
    }

    private static List<Boundary> FindBoundaries(string text)
    {
        var boundaries = new List<Boundary>();
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            var runStart = i;
            var newlines = 0;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                if (text[i] == '\n')
                {
                    newlines++;
                }

                i++;
            }

            if (runStart == 0 || i == text.Length)
            {
                continue;
            }

            var level = newlines >= 2 ? BoundaryLevel.Paragraph
                : SentenceSplitter.IsSentenceEnd(text, runStart - 1) ? BoundaryLevel.Sentence
                : newlines == 1 ? BoundaryLevel.Line
                : BoundaryLevel.Word;
            boundaries.Add(new Boundary(runStart, i, level));
        }

        return boundaries;
    }

    private static int FirstStartingAtOrAfter(List<Boundary> boundaries, int position)
    {
        int lo = 0, hi = boundaries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (boundaries[mid].Start < position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int FirstEndingAtOrAfter(List<Boundary> boundaries, int position)
    {
        int lo = 0, hi = boundaries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (boundaries[mid].End < position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int SkipWhitespace(string text, int index)
    {
        while (index < text.Length && char.IsWhiteSpace(text[index]))
        {
            index++;
        }

        return index;
    }

    private enum BoundaryLevel
    {
        Word = 1,
        Line = 2,
        Sentence = 3,
        Paragraph = 4,
    }

    // A whitespace run text[Start..End] between two words, and how strong a break it is.
    private readonly record struct Boundary(int Start, int End, BoundaryLevel Level);
}
