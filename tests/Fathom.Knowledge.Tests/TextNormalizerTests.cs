using Fathom.Knowledge.TextProcessing;

namespace Fathom.Knowledge.Tests;

public sealed class TextNormalizerTests
{
    [Fact]
    public void Composes_to_nfc_so_equal_looking_text_is_equal()
    {
        var decomposed = "Cafe\u0301 re\u0301sume\u0301";

        var normalized = TextNormalizer.Normalize(decomposed);

        Assert.Equal("Caf\u00E9 r\u00E9sum\u00E9", normalized);
    }

    [Fact]
    public void Removes_control_and_invisible_characters_and_collapses_spaces()
    {
        var normalized = TextNormalizer.Normalize("\uFEFFa\u0000b \t\u00A0 c\u200Bd\u00ADe\u001Bf   ");

        Assert.Equal("ab cdef", normalized);
    }

    [Fact]
    public void Keeps_line_breaks_and_one_blank_line_between_paragraphs()
    {
        var normalized = TextNormalizer.Normalize("  line one  \r\n   line two\r\r\n \n\n\n\fpage two\u2029last");

        Assert.Equal("line one\nline two\n\npage two\n\nlast", normalized);
    }

    [Fact]
    public void Lone_surrogates_do_not_break_normalisation()
    {
        var normalized = TextNormalizer.Normalize("bad \uD800 surrogate \U0001F600");

        Assert.Equal("bad \uFFFD surrogate \U0001F600", normalized);
    }

    [Fact]
    public void Sentence_splitter_keeps_abbreviations_and_initials_together()
    {
        var sentences = SentenceSplitter.Split("Dr. Smith met J. R. Jones at 3.30 today. It went well! Did it?\n\nNew paragraph without stop");

        Assert.Equal(["Dr. Smith met J. R. Jones at 3.30 today.", "It went well!", "Did it?", "New paragraph without stop"], sentences);
    }
}

public sealed class CanonicalCompositionTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "e\u0301", "\u00E9" },
        { "A\u030A", "\u00C5" },
        { "\u212B", "\u00C5" }, // Angstrom sign is a singleton: always replaced
        { "a\u0302\u0323", "\u1EAD" }, // marks are reordered by combining class before composing
        { "\u1100\u1161\u11A8", "\uAC01" }, // Hangul jamo compose algorithmically
        { "\u0915\u093C", "\u0915\u093C" }, // composition exclusion: stays decomposed
        { "\u0958", "\u0915\u093C" },
        { "\u0301e", "\u0301e" }, // a leading mark has nothing to attach to
        { "plain ASCII", "plain ASCII" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Composes_like_the_Unicode_standard(string input, string expected)
    {
        Assert.Equal(expected, CanonicalComposition.ToNfc(input));
    }

    [Fact]
    public void Matches_reference_vectors_from_python_unicodedata()
    {
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "TestData", "nfc-vectors.txt")))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split('\t');
            var input = FromHex(parts[0]);
            var expected = FromHex(parts[1]);
            var actual = CanonicalComposition.ToNfc(input);
            checkedCount++;
            if (actual != expected)
            {
                failures.Add($"{parts[0]} → expected {parts[1]}, got {string.Join(' ', actual.EnumerateRunes().Select(r => r.Value.ToString("X", System.Globalization.CultureInfo.InvariantCulture)))}");
            }
        }

        Assert.True(checkedCount > 2500, $"only {checkedCount} vectors");
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
    }

    private static string FromHex(string codePoints) =>
        string.Concat(codePoints.Split(' ').Select(hex => char.ConvertFromUtf32(int.Parse(hex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture))));
}
