using System.Globalization;
using System.Text;
using Fathom.Knowledge.Chunking;
using Fathom.Knowledge.Parsing;

namespace Fathom.Knowledge.Tests;

public sealed class TextChunkerTests
{
    private static readonly string[] Topics = ["search", "ingestion", "embeddings", "chunking", "citations", "collections", "queues", "storage"];

    // Paragraphs of 3 to 7 sentences of varying length, deterministic.
    private static string Essay(int paragraphs, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        for (var p = 0; p < paragraphs; p++)
        {
            var sentences = random.Next(3, 8);
            for (var s = 0; s < sentences; s++)
            {
                var words = random.Next(6, 20);
                builder.Append(CultureInfo.InvariantCulture, $"Paragraph {p} sentence {s} is about {Topics[random.Next(Topics.Length)]}");
                for (var w = 0; w < words; w++)
                {
                    builder.Append(' ').Append(Topics[random.Next(Topics.Length)]);
                }

                builder.Append(". ");
            }

            builder.Append("\n\n");
        }

        return builder.ToString().Trim();
    }

    [Fact]
    public void No_chunk_exceeds_chunk_size_and_positions_are_consecutive()
    {
        var chunker = new TextChunker(new ChunkingOptions { ChunkSize = 120, ChunkOverlap = 20 });
        var document = new ParsedDocument([new DocumentSection(Essay(30, 1), Heading: "Essay")]);

        var chunks = chunker.Split(document);

        Assert.True(chunks.Count > 10, $"expected many chunks, got {chunks.Count}");
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Position));
        Assert.All(chunks, chunk =>
        {
            var actual = TextChunker.DefaultTokenizer.CountTokens(chunk.Text);
            Assert.InRange(actual, 1, 120);
            Assert.Equal(actual, chunk.TokenCount);
        });
        // Chunks are filled: apart from the last, none is tiny.
        Assert.All(chunks.SkipLast(1), chunk => Assert.True(chunk.TokenCount >= 40, $"chunk {chunk.Position} has only {chunk.TokenCount} tokens"));
    }

    [Fact]
    public void Chunks_end_at_sentence_or_paragraph_boundaries()
    {
        var chunker = new TextChunker(new ChunkingOptions { ChunkSize = 150, ChunkOverlap = 0 });
        var text = Essay(20, 2);

        var chunks = chunker.Split(new ParsedDocument([new DocumentSection(text)]));

        Assert.All(chunks, chunk => Assert.EndsWith(".", chunk.Text, StringComparison.Ordinal));
        // Without overlap the chunks are the text, cut at whitespace.
        Assert.Equal(Squash(text), Squash(string.Join(" ", chunks.Select(c => c.Text))));
    }

    [Fact]
    public void Consecutive_chunks_of_a_section_share_about_chunk_overlap_tokens()
    {
        const int overlap = 30;
        var chunker = new TextChunker(new ChunkingOptions { ChunkSize = 100, ChunkOverlap = overlap });

        var chunks = chunker.Split(new ParsedDocument([new DocumentSection(Essay(15, 3))]));

        Assert.True(chunks.Count > 3);
        for (var i = 1; i < chunks.Count; i++)
        {
            var shared = SharedPrefixOfNextWithTail(chunks[i - 1].Text, chunks[i].Text);
            var sharedTokens = TextChunker.DefaultTokenizer.CountTokens(shared);
            Assert.InRange(sharedTokens, overlap / 2, overlap + 2);
        }
    }

    [Fact]
    public void Chunks_keep_page_and_heading_and_never_span_sections()
    {
        var chunker = new TextChunker(new ChunkingOptions { ChunkSize = 80, ChunkOverlap = 10 });
        var document = new ParsedDocument(
        [
            new DocumentSection(Essay(4, 4), Page: 1, Heading: "Intro"),
            new DocumentSection("Short page two.", Page: 2, Heading: "Intro > Setup"),
            new DocumentSection(Essay(4, 5), Page: 3, Heading: null),
        ]);

        var chunks = chunker.Split(document);

        Assert.Equal([1, 2, 3], chunks.Select(c => c.Page).Distinct());
        Assert.Equal("Short page two.", Assert.Single(chunks, c => c.Page == 2).Text);
        Assert.All(chunks.Where(c => c.Page == 1), c => Assert.Equal("Intro", c.Heading));
        Assert.All(chunks.Where(c => c.Page == 2), c => Assert.Equal("Intro > Setup", c.Heading));
        Assert.All(chunks.Where(c => c.Page == 3), c => Assert.Null(c.Heading));
        Assert.All(chunks, c => Assert.Contains(Squash(c.Text), Squash(document.Sections[c.Page!.Value - 1].Text), StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Position));
    }

    [Fact]
    public void Same_input_gives_same_chunks()
    {
        var document = new ParsedDocument([new DocumentSection(Essay(12, 6), 1, "A"), new DocumentSection(Essay(5, 7), 2, "B")]);
        var options = new ChunkingOptions { ChunkSize = 90, ChunkOverlap = 15 };

        var first = new TextChunker(options).Split(document);
        var second = new TextChunker(options).Split(document);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Word_longer_than_a_chunk_is_cut_within_limits()
    {
        var chunker = new TextChunker(new ChunkingOptions { ChunkSize = 32, ChunkOverlap = 0 });
        var blob = string.Concat(Enumerable.Repeat("QmFzZTY0IGRhdGEgdGhhdCBuZXZlciBlbmRz", 20));

        var chunks = chunker.Split(new ParsedDocument([new DocumentSection($"Start. {blob} End.")]));

        Assert.True(chunks.Count > 3);
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 32));
        Assert.Equal($"Start.{blob}End.", string.Concat(chunks.Select(c => c.Text)).Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Large_document_is_chunked_in_seconds()
    {
        // About 1 MB in one section: the chunker must not re-tokenise the rest of the section per chunk.
        var text = Essay(1200, 8);
        var chunker = new TextChunker(new ChunkingOptions());

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var chunks = chunker.Split(new ParsedDocument([new DocumentSection(text)]));
        watch.Stop();

        Assert.InRange(text.Length, 800_000, 2_000_000);
        Assert.True(chunks.Count > 400, $"{chunks.Count} chunks");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Short_section_is_one_chunk()
    {
        var chunks = new TextChunker(new ChunkingOptions()).Split(new ParsedDocument([new DocumentSection("Hello world.")]));

        var chunk = Assert.Single(chunks);
        Assert.Equal(new Chunk(0, "Hello world.", null, null, 3), chunk);
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(100, 51)]
    [InlineData(100, -1)]
    public void Invalid_settings_are_rejected_with_a_message(int size, int overlap)
    {
        var options = new ChunkingOptions { ChunkSize = size, ChunkOverlap = overlap };

        Assert.NotEmpty(options.Validate());
        var error = Assert.Throws<ArgumentException>(() => new TextChunker(options));
        Assert.Contains("chunk", error.Message, StringComparison.Ordinal);
    }

    // The longest suffix of the previous chunk that is also a prefix of the next one.
    private static string SharedPrefixOfNextWithTail(string previous, string next)
    {
        for (var length = Math.Min(previous.Length, next.Length); length > 0; length--)
        {
            if (previous.AsSpan(previous.Length - length).SequenceEqual(next.AsSpan(0, length)))
            {
                return next[..length];
            }
        }

        return string.Empty;
    }

    private static string Squash(string text) => string.Join(' ', text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
