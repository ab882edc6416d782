using Fathom.Knowledge.Search;

namespace Fathom.Knowledge.Tests;

public sealed class SearchTests
{
    [Fact]
    public void Rrf_adds_reciprocal_ranks_across_lists()
    {
        IReadOnlyList<string> vector = ["a", "b", "c"];
        IReadOnlyList<string> fulltext = ["c", "a", "d"];

        var fused = ReciprocalRankFusion.Fuse([vector, fulltext], x => x, k: 60);

        Assert.Equal(["a", "c", "b", "d"], fused.Select(f => f.Item));
        Assert.Equal((1.0 / 61) + (1.0 / 62), fused[0].Score, 12);
        Assert.Equal((1.0 / 63) + (1.0 / 61), fused[1].Score, 12);
        Assert.Equal(1.0 / 62, fused[2].Score, 12);
        Assert.Equal([1, 2], fused[0].Ranks);
        Assert.Equal([null, 3], fused[3].Ranks);
    }

    [Fact]
    public void Rrf_uses_keys_and_breaks_ties_deterministically()
    {
        IReadOnlyList<(int Id, string Source)> first = [(1, "v"), (2, "v")];
        IReadOnlyList<(int Id, string Source)> second = [(2, "f"), (1, "f"), (1, "f")];

        var fused = ReciprocalRankFusion.Fuse([first, second], x => x.Id, k: 0);

        // Both score 1/1 + 1/2; id 1 was seen first. The duplicate in the second list counts once.
        Assert.Equal([(1, "v"), (2, "v")], fused.Select(f => f.Item));
        Assert.Equal(1.5, fused[0].Score, 12);
        Assert.Equal(1.5, fused[1].Score, 12);
    }

    [Fact]
    public void Relative_fusion_scales_each_list_by_its_best_and_weighs_them()
    {
        IReadOnlyList<(string Id, double Score)> vector = [("a", 0.40), ("b", 0.30), ("c", -0.1)];
        IReadOnlyList<(string Id, double Score)> fulltext = [("c", 12.0), ("a", 3.0)];

        var fused = RelativeScoreFusion.Fuse([vector, fulltext], x => x.Id, x => x.Score, [0.2, 0.8]);

        // a: 0.2 · 1 + 0.8 · 0.25 = 0.4; b: 0.2 · 0.75 = 0.15; c: 0.2 · 0 (a negative cosine counts as 0) + 0.8 · 1 = 0.8.
        Assert.Equal(["c", "a", "b"], fused.Select(f => f.Item.Id));
        Assert.Equal([0.8, 0.4, 0.15], fused.Select(f => Math.Round(f.Score, 12)));
        Assert.Equal([3, 1], fused[0].Ranks);
    }

    [Fact]
    public void Relative_fusion_breaks_ties_by_best_rank_and_counts_a_repeat_once()
    {
        IReadOnlyList<(string Id, double Score)> first = [("x", 2.0), ("y", 1.0), ("y", 1.0)];
        IReadOnlyList<(string Id, double Score)> second = [("y", 5.0), ("x", 2.5)];

        var fused = RelativeScoreFusion.Fuse([first, second], x => x.Id, x => x.Score);

        // Both score 1 + 0.5 and both head a list: the one seen first wins. y's repeat adds nothing.
        Assert.Equal(1.5, fused[0].Score, 12);
        Assert.Equal(1.5, fused[1].Score, 12);
        Assert.Equal(["x", "y"], fused.Select(f => f.Item.Id));
    }

    [Fact]
    public void Snippet_marks_whole_word_matches_case_insensitively()
    {
        var snippet = SnippetHighlighter.Highlight("Fathom indexes Documents; the index is searchable. Reindexing is separate.", "index documents");

        Assert.Equal("Fathom <mark>indexes</mark> <mark>Documents</mark>; the <mark>index</mark> is searchable. Reindexing is separate.", snippet);
    }

    [Fact]
    public void Snippet_escapes_html_in_the_chunk_but_keeps_marks()
    {
        var snippet = SnippetHighlighter.Highlight("Click <script>alert('x')</script> & see the alert.", "alert");

        Assert.Equal("Click &lt;script&gt;<mark>alert</mark>(&#39;x&#39;)&lt;/script&gt; &amp; see the <mark>alert</mark>.", snippet);
        Assert.DoesNotContain("<script>", snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Snippet_picks_the_window_with_the_most_query_terms()
    {
        var filler = string.Join(' ', Enumerable.Repeat("lorem ipsum dolor sit amet", 30));
        var text = $"{filler} pgvector mentioned once. {filler} Hybrid search fuses pgvector similarity with full-text rank. {filler}";

        var snippet = SnippetHighlighter.Highlight(text, ["hybrid", "pgvector", "rank"]);

        Assert.Contains("<mark>Hybrid</mark> search fuses <mark>pgvector</mark> similarity with full-text <mark>rank</mark>.", snippet, StringComparison.Ordinal);
        Assert.StartsWith("…", snippet, StringComparison.Ordinal);
        Assert.EndsWith("…", snippet, StringComparison.Ordinal);
        Assert.InRange(snippet.Replace("<mark>", "", StringComparison.Ordinal).Replace("</mark>", "", StringComparison.Ordinal).Length, 150, 242);
    }

    [Fact]
    public void Snippet_without_matches_shows_the_start()
    {
        var text = string.Join(' ', Enumerable.Repeat("word", 200));

        var snippet = SnippetHighlighter.Highlight(text, "absent");

        Assert.StartsWith("word word", snippet, StringComparison.Ordinal);
        Assert.EndsWith("…", snippet, StringComparison.Ordinal);
        Assert.DoesNotContain("<mark>", snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Extractive_answer_quotes_matching_sentences_with_citations()
    {
        AnswerSource[] sources =
        [
            new(1, "Fathom stores chunks in Postgres. Hybrid search combines vector and full-text results with reciprocal rank fusion."),
            new(2, "The weather was nice. Reciprocal rank fusion needs no score calibration between the two searches."),
            new(3, "Bananas are yellow."),
        ];

        var answer = ExtractiveAnswerer.Answer("How does hybrid search combine results?", sources);

        Assert.Equal("extractive", answer.Kind);
        Assert.True(answer.Found);
        Assert.StartsWith("Hybrid search combines vector and full-text results with reciprocal rank fusion. [1]", answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Bananas", answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("weather", answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(3, answer.Citations);
        Assert.Equal(1, answer.Citations[0]);
    }

    [Fact]
    public void Extractive_answer_does_not_repeat_sentences_from_overlapping_chunks()
    {
        AnswerSource[] sources =
        [
            new(1, "Chunks overlap by fifty tokens. The overlap keeps context across chunk borders."),
            new(2, "The overlap keeps context across chunk borders. Later text follows."),
        ];

        var answer = ExtractiveAnswerer.Answer("why do chunks overlap", sources);

        Assert.Equal(1, answer.Text.Split("The overlap keeps context").Length - 1);
    }

    [Fact]
    public void Extractive_answer_says_so_when_nothing_matches()
    {
        var answer = ExtractiveAnswerer.Answer("What is the capital of Peru?", [new AnswerSource(1, "Fathom is a RAG platform.")]);

        Assert.False(answer.Found);
        Assert.Empty(answer.Citations);
        Assert.Equal(ExtractiveAnswerer.NoAnswerText, answer.Text);
    }
}
