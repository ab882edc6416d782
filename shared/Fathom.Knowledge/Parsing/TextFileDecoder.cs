using System.Text;

namespace Fathom.Knowledge.Parsing;

/// <summary>Reads uploaded text files: honours a byte-order mark, expects UTF-8, falls back to Latin-1 for legacy files.</summary>
internal static class TextFileDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<byte[]> ReadAllAsync(Stream content, CancellationToken cancellationToken)
    {
        if (content is MemoryStream memory && memory.TryGetBuffer(out var buffer) && memory.Position == 0)
        {
            return buffer.AsSpan().ToArray();
        }

        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return copy.ToArray();
    }

    /// <summary>Decodes <paramref name="bytes"/>; throws <see cref="DocumentParseException"/> when they are not text at all.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string formatName)
    {
        string text;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            text = Encoding.UTF8.GetString(bytes[3..]);
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            text = Encoding.Unicode.GetString(bytes[2..]);
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            text = Encoding.BigEndianUnicode.GetString(bytes[2..]);
        }
        else
        {
            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8: legacy Western files are by far the most common other case.
                text = Encoding.Latin1.GetString(bytes);
            }
        }

        if (LooksBinary(text))
        {
            throw new DocumentParseException($"The {formatName} could not be read: it looks like a binary file, not text.");
        }

        return text;
    }

    // NUL characters never occur in real text files but are everywhere in binary formats.
    private static bool LooksBinary(string text)
    {
        var sample = text.AsSpan(0, Math.Min(text.Length, 8192));
        var nulls = 0;
        foreach (var c in sample)
        {
            if (c == '\0')
            {
                nulls++;
            }
        }

        return nulls > 0 && nulls * 100 >= sample.Length;
    }
}
