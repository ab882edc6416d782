using System.Text;
using Fathom.Knowledge.TextProcessing;

namespace Fathom.Knowledge.Search;

/// <summary>A retrieved chunk offered to the answerer, with the citation number it is shown under.</summary>
public sealed record AnswerSource(int Citation, string Text);

/// <summary>
/// An answer assembled from sentences of the sources (no language model). <see cref="Text"/> refers
/// to sources as [n]; <see cref="Citations"/> lists the numbers used, in order of first use.
/// </summary>
public sealed record ExtractiveAnswer(string Text, IReadOnlyList<int> Citations)
{
    /// <summary>The "kind" reported with the answer, so users know no model wrote it.</summary>
#pragma warning disable CA1822 // an instance property so that serialisers include it with the answer
    public string Kind => ExtractiveAnswerer.Kind;
#pragma warning restore CA1822

    public bool Found => Citations.Count > 0;
}

/// <summary>
/// Answers without a chat model by quoting: splits the ranked chunks into sentences, scores each by
/// the question terms it contains (rarer terms weigh more, higher-ranked chunks win ties), and
/// returns the best few sentences in source order, each followed by its [n] citation.
/// </summary>
public static class ExtractiveAnswerer
{
    public const string Kind = "extractive";
    public const string NoAnswerText = "No passage in the searched documents matches the question.";
    public const int DefaultMaxSentences = 3;

    public static ExtractiveAnswer Answer(string question, IReadOnlyList<AnswerSource> sources, int maxSentences = DefaultMaxSentences)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSentences);

        var terms = SearchTerms.Extract(question).Select(t => SearchTerms.Stem(t)).Distinct(StringComparer.Ordinal).ToList();
        var candidates = new List<Candidate>();
        for (var rank = 0; rank < sources.Count; rank++)
        {
            var sentences = SentenceSplitter.Split(sources[rank].Text);
            for (var position = 0; position < sentences.Count; position++)
            {
                var sentence = sentences[position];
                var stems = SearchTerms.Words(sentence).Select(r => SearchTerms.Stem(sentence.AsSpan(r))).ToList();
                var matched = terms.Where(stems.Contains).ToHashSet(StringComparer.Ordinal);
                if (matched.Count > 0)
                {
                    candidates.Add(new Candidate(sentence, sources[rank].Citation, rank, position, stems.Count, matched));
                }
            }
        }

        if (candidates.Count == 0)
        {
            return new ExtractiveAnswer(NoAnswerText, []);
        }

        // Inverse sentence frequency: a term found in every candidate says little about which one answers.
        var weights = terms.ToDictionary(
            t => t,
            t => Math.Log(1 + (candidates.Count / (1.0 + candidates.Count(c => c.Matched.Contains(t))))),
            StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            var score = candidate.Matched.Sum(t => weights[t]);
            score *= 1.0 / (1.0 + (0.15 * candidate.Rank));
            score *= candidate.WordCount switch
            {
                < 4 => 0.5, // headings and fragments
                > 60 => 0.8, // run-on text from tables or PDFs
                _ => 1.0,
            };
            candidate.Score = score;
        }

        var chosen = new List<Candidate>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var best = 0.0;
        foreach (var candidate in candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Rank).ThenBy(c => c.Position))
        {
            if (chosen.Count == maxSentences)
            {
                break;
            }

            best = Math.Max(best, candidate.Score);
            // Overlapping chunks repeat sentences; weak extra sentences only dilute the answer.
            if (candidate.Score >= best * 0.35 && seen.Add(candidate.Sentence))
            {
                chosen.Add(candidate);
            }
        }

        var builder = new StringBuilder();
        var citations = new List<int>();
        foreach (var candidate in chosen.OrderBy(c => c.Rank).ThenBy(c => c.Position))
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(candidate.Sentence).Append(" [").Append(candidate.Citation).Append(']');
            if (!citations.Contains(candidate.Citation))
            {
                citations.Add(candidate.Citation);
            }
        }

        return new ExtractiveAnswer(builder.ToString(), citations);
    }

    private sealed class Candidate(string sentence, int citation, int rank, int position, int wordCount, HashSet<string> matched)
    {
        public string Sentence { get; } = sentence;

        public int Citation { get; } = citation;

        public int Rank { get; } = rank;

        public int Position { get; } = position;

        public int WordCount { get; } = wordCount;

        public HashSet<string> Matched { get; } = matched;

        public double Score { get; set; }
    }
}
