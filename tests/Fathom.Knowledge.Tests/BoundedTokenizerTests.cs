using System.Diagnostics;
using Fathom.Knowledge.Chunking;
using Microsoft.ML.Tokenizers;

namespace Fathom.Knowledge.Tests;

public sealed class BoundedTokenizerTests
{
    private static readonly Tokenizer Plain = TiktokenTokenizer.CreateForEncoding("cl100k_base");

    /// <summary>Ordinary text: the shipped evaluation set and this repository's docs.</summary>
    private static string Corpus()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Functions.sln")))
        {
            root = Path.GetDirectoryName(root)!;
        }
        var files = Directory.GetFiles(Path.Combine(root, "shared", "Fathom.Knowledge", "EvaluationSet"), "*", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md"));
        return string.Join('\n', files.Order(StringComparer.Ordinal).Select(File.ReadAllText));
    }

    [Fact]
    public void Ordinary_text_gets_exactly_the_ids_counts_and_cut_points_of_cl100k_base()
    {
        var corpus = Corpus();
        var bounded = TextChunker.DefaultTokenizer;
        Assert.Equal(Plain.EncodeToIds(corpus), bounded.EncodeToIds(corpus));
        Assert.Equal(Plain.CountTokens(corpus), bounded.CountTokens(corpus));
        foreach (var max in new[] { 1, 7, 64, 400, 2048 })
        {
            Assert.Equal(Plain.GetIndexByTokenCount(corpus, max, out _, out var plainCount), bounded.GetIndexByTokenCount(corpus, max, out _, out var boundedCount));
            Assert.Equal(plainCount, boundedCount);
            Assert.Equal(Plain.GetIndexByTokenCountFromEnd(corpus, max, out _, out plainCount), bounded.GetIndexByTokenCountFromEnd(corpus, max, out _, out boundedCount));
            Assert.Equal(plainCount, boundedCount);
        }
    }

    [Theory]
    [InlineData('a')]
    [InlineData('€')]
    [InlineData(' ')]
    [InlineData('=')]
    public void A_run_of_a_million_characters_is_counted_in_linear_time(char c)
    {
        // cl100k_base makes such a run one pre-token; byte-pair merging it whole took 13.7 s for 100,000 'a' and
        // minutes for '€' (quadratic), so a million would not finish.
        var text = "Start. " + new string(c, 1_000_000) + " End.";
        var clock = Stopwatch.StartNew();
        var count = TextChunker.DefaultTokenizer.CountTokens(text);
        var index = TextChunker.DefaultTokenizer.GetIndexByTokenCount(text, 2048, out _, out var fitted);
        var fromEnd = TextChunker.DefaultTokenizer.GetIndexByTokenCountFromEnd(text, 2048, out _, out var fittedFromEnd);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.True(count > 0);
        Assert.Equal(2048, fitted);
        Assert.Equal(2048, fittedFromEnd);
        Assert.Equal(fitted, TextChunker.DefaultTokenizer.CountTokens(text.AsSpan(0, index)));
        Assert.Equal(fittedFromEnd, TextChunker.DefaultTokenizer.CountTokens(text.AsSpan(fromEnd)));
    }

    [Fact]
    public void Long_runs_still_round_trip_and_keep_their_offsets()
    {
        var text = "Intro " + new string('a', 1000) + " middle " + new string('=', 500) + " end " + string.Concat(Enumerable.Repeat("😀", 300));
        var bounded = TextChunker.DefaultTokenizer;
        var ids = bounded.EncodeToIds(text);
        Assert.Equal(text, bounded.Decode(ids));
        var tokens = bounded.EncodeToTokens(text, out _);
        Assert.Equal(ids, tokens.Select(t => t.Id));
        Assert.Equal(text.Length, tokens[^1].Offset.End.Value);
        // Within a token or so per part of the plain count.
        Assert.InRange(ids.Count, Plain.CountTokens(text) - 30, Plain.CountTokens(text) + 30);
        Assert.Equal(10, bounded.EncodeToIds(text, 10, out _, out _).Count);
    }

    [Fact]
    public void A_chunk_of_a_giant_word_is_cut_where_its_tokens_run_out()
    {
        var chunker = new TextChunker(new ChunkingOptions { ChunkSize = 256, ChunkOverlap = 32 });
        var clock = Stopwatch.StartNew();
        var chunks = chunker.SplitText(new string('x', 500_000)).ToList();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 256));
        Assert.True(chunks.Count > 100);
    }
}
