using System.Collections.Frozen;
using System.Text;

namespace Fathom.Knowledge.TextProcessing;

/// <summary>
/// Unicode Normalization Form C (UAX #15) in managed code. With InvariantGlobalization on,
/// string.Normalize leaves non-ASCII text unchanged, so "e" + U+0301 would never equal "é"; this
/// implementation also gives the same result on every machine, whatever ICU it has.
/// </summary>
public static class CanonicalComposition
{
    private const int HangulSBase = 0xAC00;
    private const int HangulLBase = 0x1100;
    private const int HangulVBase = 0x1161;
    private const int HangulTBase = 0x11A7;
    private const int HangulLCount = 19;
    private const int HangulVCount = 21;
    private const int HangulTCount = 28;
    private const int HangulNCount = HangulVCount * HangulTCount;
    private const int HangulSCount = HangulLCount * HangulNCount;

    // Below U+0300 every character is a starter that composes with nothing before it.
    private const char FirstCombining = '\u0300';

    private static readonly FrozenDictionary<int, (int First, int Second)> Decompositions = BuildDecompositions();
    private static readonly FrozenDictionary<long, int> Compositions = BuildCompositions();
    private static readonly FrozenDictionary<int, int> CombiningClasses = BuildCombiningClasses();

    /// <summary>The Unicode version of the built-in tables.</summary>
    public static string UnicodeVersion => UnicodeCompositionData.UnicodeVersion;

    /// <summary>Returns <paramref name="text"/> in NFC. Lone surrogates are kept as they are.</summary>
    public static string ToNfc(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.AsSpan().ContainsAnyExceptInRange('\0', (char)(FirstCombining - 1)))
        {
            return text;
        }

        var codePoints = Decompose(text);
        SortCombiningMarks(codePoints);
        var composedLength = Compose(codePoints);

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < composedLength; i++)
        {
            var cp = codePoints[i];
            if (cp is >= 0xD800 and <= 0xDFFF)
            {
                builder.Append((char)cp); // a lone surrogate from the input
            }
            else
            {
                builder.Append(char.ConvertFromUtf32(cp));
            }
        }

        return builder.ToString();
    }

    private static List<int> Decompose(string text)
    {
        var result = new List<int>(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }

            AppendDecomposed(result, cp);
        }

        return result;
    }

    private static void AppendDecomposed(List<int> result, int cp)
    {
        var s = cp - HangulSBase;
        if (s is >= 0 and < HangulSCount)
        {
            result.Add(HangulLBase + (s / HangulNCount));
            result.Add(HangulVBase + (s % HangulNCount / HangulTCount));
            if (s % HangulTCount != 0)
            {
                result.Add(HangulTBase + (s % HangulTCount));
            }

            return;
        }

        if (Decompositions.TryGetValue(cp, out var parts))
        {
            AppendDecomposed(result, parts.First);
            if (parts.Second != 0)
            {
                AppendDecomposed(result, parts.Second);
            }

            return;
        }

        result.Add(cp);
    }

    // Canonical ordering: within each run of combining marks, a stable sort by combining class.
    private static void SortCombiningMarks(List<int> codePoints)
    {
        for (var i = 1; i < codePoints.Count; i++)
        {
            var cls = CombiningClass(codePoints[i]);
            if (cls == 0)
            {
                continue;
            }

            var j = i;
            while (j > 0 && CombiningClass(codePoints[j - 1]) > cls)
            {
                (codePoints[j - 1], codePoints[j]) = (codePoints[j], codePoints[j - 1]);
                j--;
            }
        }
    }

    // Canonical composition in place; returns the new length.
    private static int Compose(List<int> codePoints)
    {
        if (codePoints.Count == 0)
        {
            return 0;
        }

        var starterIndex = 0;
        var starter = codePoints[0];
        var lastClass = CombiningClass(starter) == 0 ? 0 : 256; // text starting with a mark never composes into it
        var write = 1;
        for (var read = 1; read < codePoints.Count; read++)
        {
            var cp = codePoints[read];
            var cls = CombiningClass(cp);
            if ((lastClass < cls || lastClass == 0) && TryCompose(starter, cp, out var composite))
            {
                codePoints[starterIndex] = composite;
                starter = composite;
                continue;
            }

            if (cls == 0)
            {
                starterIndex = write;
                starter = cp;
            }

            lastClass = cls;
            codePoints[write++] = cp;
        }

        return write;
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        var l = first - HangulLBase;
        var v = second - HangulVBase;
        if (l is >= 0 and < HangulLCount && v is >= 0 and < HangulVCount)
        {
            composite = HangulSBase + (((l * HangulVCount) + v) * HangulTCount);
            return true;
        }

        var s = first - HangulSBase;
        var t = second - HangulTBase;
        if (s is >= 0 and < HangulSCount && s % HangulTCount == 0 && t is > 0 and < HangulTCount)
        {
            composite = first + t;
            return true;
        }

        return Compositions.TryGetValue(PairKey(first, second), out composite);
    }

    private static int CombiningClass(int cp) => cp < FirstCombining ? 0 : CombiningClasses.GetValueOrDefault(cp);

    private static long PairKey(int first, int second) => ((long)first << 21) | (uint)second;

    private static FrozenDictionary<int, (int, int)> BuildDecompositions()
    {
        var data = UnicodeCompositionData.Decompositions;
        var map = new Dictionary<int, (int, int)>(data.Length / 3);
        for (var i = 0; i < data.Length; i += 3)
        {
            map[data[i]] = (data[i + 1], data[i + 2]);
        }

        return map.ToFrozenDictionary();
    }

    private static FrozenDictionary<long, int> BuildCompositions()
    {
        var data = UnicodeCompositionData.Compositions;
        var map = new Dictionary<long, int>(data.Length / 3);
        for (var i = 0; i < data.Length; i += 3)
        {
            map[PairKey(data[i], data[i + 1])] = data[i + 2];
        }

        return map.ToFrozenDictionary();
    }

    private static FrozenDictionary<int, int> BuildCombiningClasses()
    {
        var data = UnicodeCompositionData.CombiningClasses;
        var map = new Dictionary<int, int>(data.Length / 2);
        for (var i = 0; i < data.Length; i += 2)
        {
            map[data[i]] = data[i + 1];
        }

        return map.ToFrozenDictionary();
    }
}
