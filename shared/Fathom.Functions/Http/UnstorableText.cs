using System.Text;
using System.Text.Json;

namespace Fathom.Functions.Http;

/// <summary>
/// Text the stores cannot hold: PostgreSQL refuses the NUL character (U+0000) in any text value (SQLSTATE 22021),
/// so a request carrying one is answered 400 naming where it was, before any function runs. Invalid UTF-8 in a
/// JSON body is refused the same way.
/// </summary>
public static class UnstorableText
{
    /// <summary>
    /// The JSON path (<c>messages[0].content</c>; empty for the body itself) of the first string or field name
    /// holding U+0000 or invalid UTF-8, else null.
    /// </summary>
    public static string? FindInJson(ReadOnlySpan<byte> json, out string problem)
    {
        problem = "";
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        // One frame per open object or array: the field or index being read in it.
        var frames = new List<(bool Array, int Index, string? Field)>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        frames.Add((reader.TokenType == JsonTokenType.StartArray, 0, null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        NextElement(frames);
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        frames[^1] = (false, 0, name);
                        if (name.Contains('\0', StringComparison.Ordinal))
                        {
                            problem = "is a field name with the NUL character (\\u0000), which cannot be stored";
                            return Path(frames);
                        }
                        break;
                    case JsonTokenType.String when reader.GetString()!.Contains('\0', StringComparison.Ordinal):
                        problem = "contains the NUL character (\\u0000), which cannot be stored";
                        return Path(frames);
                    default:
                        NextElement(frames);
                        break;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // GetString on bytes that are not UTF-8.
            problem = "is not valid UTF-8";
            return Path(frames);
        }
        catch (JsonException)
        {
            // Malformed JSON is the deserializer's to report, with its own position.
        }
        return null;
    }

    private static void NextElement(List<(bool Array, int Index, string? Field)> frames)
    {
        if (frames.Count > 0 && frames[^1].Array)
        {
            frames[^1] = (true, frames[^1].Index + 1, null);
        }
    }

    private static string Path(List<(bool Array, int Index, string? Field)> frames)
    {
        var sb = new StringBuilder();
        foreach (var (array, i, field) in frames)
        {
            if (array)
            {
                sb.Append('[').Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
            }
            else if (field is not null)
            {
                sb.Append(sb.Length == 0 ? "" : ".").Append(Printable(field));
            }
        }
        return sb.ToString();
    }

    /// <summary>The first query parameter, route value or header holding U+0000, named as a caller would know it.</summary>
    public static string? FindInRequest(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        foreach (var (name, values) in request.Query)
        {
            if (name.Contains('\0', StringComparison.Ordinal) || values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                return $"query parameter '{Printable(name)}'";
            }
        }
        if (request.Path.Value?.Contains('\0', StringComparison.Ordinal) == true)
        {
            return "path";
        }
        foreach (var (name, values) in request.Headers)
        {
            if (values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                return $"header '{name}'";
            }
        }
        return null;
    }

    public static bool Contains(string? text) => text?.Contains('\0', StringComparison.Ordinal) == true;

    private static string Printable(string name) => name.Replace("\0", "\\u0000", StringComparison.Ordinal);
}
