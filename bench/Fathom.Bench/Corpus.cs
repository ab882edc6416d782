using System.Text;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Fathom.Bench;

/// <summary>
/// Synthetic English-like text, deterministic for a seed: word frequencies follow Zipf's law (s = 1) over a
/// vocabulary whose most frequent words are real English stop words (which full-text search drops, as it would
/// in real text) followed by made-up words built from syllables. Queries take a few words of an existing text plus
/// a random one, so each query has relevant chunks, as a user's question about their documents would.
/// </summary>
public sealed class Corpus
{
    private static readonly string[] StopWords =
    [
        "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he",
        "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were", "their", "one",
        "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would", "who", "so", "no",
    ];

    private static readonly string[] Syllables =
    [
        "ka", "lo", "mer", "tin", "sa", "ve", "ron", "di", "pul", "an", "tor", "el", "mi", "gra", "fen", "os", "qua", "ri",
        "dal", "be", "nu", "sto", "har", "li", "cor", "pe", "zen", "ul", "mon", "tra", "vi", "es", "gal", "do", "fir", "ny",
    ];

    private readonly string[] _words;
    private readonly double[] _cumulative;
    private readonly Random _random;

    public Corpus(int seed = 42, int vocabulary = 20_000)
    {
        _random = new Random(seed);
        var words = new List<string>(StopWords);
        var seen = new HashSet<string>(words, StringComparer.Ordinal);
        var wordRandom = new Random(seed + 1);
        while (words.Count < vocabulary)
        {
            var sb = new StringBuilder();
            var syllables = 2 + wordRandom.Next(3);
            for (var i = 0; i < syllables; i++)
            {
                sb.Append(Syllables[wordRandom.Next(Syllables.Length)]);
            }
            if (seen.Add(sb.ToString()))
            {
                words.Add(sb.ToString());
            }
        }
        _words = [.. words];
        _cumulative = new double[_words.Length];
        var sum = 0d;
        for (var k = 0; k < _words.Length; k++)
        {
            sum += 1d / (k + 1);
            _cumulative[k] = sum;
        }
    }

    public string Word()
    {
        var x = _random.NextDouble() * _cumulative[^1];
        var index = Array.BinarySearch(_cumulative, x);
        return _words[index < 0 ? ~index : index];
    }

    /// <summary>Sentences of 8..20 words until about <paramref name="words"/> words.</summary>
    public string Text(int words)
    {
        var sb = new StringBuilder();
        var written = 0;
        while (written < words)
        {
            var length = 8 + _random.Next(13);
            for (var i = 0; i < length; i++)
            {
                var word = Word();
                sb.Append(i == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
                sb.Append(i == length - 1 ? ". " : " ");
            }
            written += length;
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>A question about <paramref name="text"/>: 3..5 of its content words (stop words skipped) and one random word.</summary>
    public string QueryFrom(string text)
    {
        var content = text.Split([' ', '.'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.ToLowerInvariant())
            .Where(w => Array.IndexOf(StopWords, w) < 0)
            .ToArray();
        var picked = Enumerable.Range(0, 3 + _random.Next(3)).Select(_ => content[_random.Next(content.Length)]).Append(Word());
        return string.Join(' ', picked);
    }

    /// <summary>A made-up word no generated text holds (letters only, so full-text search keeps it whole).</summary>
    public static string Marker(string prefix, int n)
    {
        var sb = new StringBuilder(prefix);
        do
        {
            sb.Append((char)('a' + (n % 26)));
            n /= 26;
        }
        while (n > 0);
        return sb.ToString();
    }

    /// <summary>A PDF of <paramref name="pages"/> A4 pages of text (PdfPig's builder, Helvetica), each page with its own marker word.</summary>
    public byte[] Pdf(int pages, int linesPerPage = 45, int wordsPerLine = 12)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        for (var p = 0; p < pages; p++)
        {
            var page = builder.AddPage(PageSize.A4);
            for (var l = 0; l < linesPerPage; l++)
            {
                var line = l == 0 ? $"Page {p + 1} {Marker("xpdfpage", p)}" : Text(wordsPerLine);
                if (line.Length > 95)
                {
                    line = line[..95];
                }
                page.AddText(line, 10, new PdfPoint(40, 800 - (l * 17)), font);
            }
        }
        return builder.Build();
    }
}
