using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fathom.Knowledge.Parsing;

/// <summary>
/// JSON as readable text: one "path: value" line per value, so property names stay searchable;
/// the elements of a top-level array become separate paragraphs so chunks split between records.
/// </summary>
public sealed class JsonTextParser : IDocumentParser
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 };

    public IReadOnlyList<string> Extensions { get; } = [".json"];

    public IReadOnlyList<string> ContentTypes { get; } = ["application/json"];

    public async Task<ParsedDocument> ParseAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await TextFileDecoder.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        var text = TextFileDecoder.Decode(bytes, "JSON file");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Options);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1})" : string.Empty;
            throw new DocumentParseException($"The JSON file could not be read: it is not valid JSON{where}.", ex);
        }

        using (document)
        {
            var builder = new StringBuilder();
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var element in root.EnumerateArray())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Write(builder, element, $"[{index++}]");
                    builder.Append('\n');
                }
            }
            else
            {
                Write(builder, root, string.Empty);
            }

            return new ParsedDocument([new DocumentSection(builder.ToString())]);
        }
    }

    private static void Write(StringBuilder builder, JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Write(builder, property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}");
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Write(builder, item, $"{path}[{index++}]");
                }

                break;
            case JsonValueKind.String:
                WriteLine(builder, path, element.GetString());
                break;
            case JsonValueKind.Number:
                WriteLine(builder, path, element.GetRawText());
                break;
            case JsonValueKind.True or JsonValueKind.False:
                WriteLine(builder, path, element.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant());
                break;
        }
    }

    private static void WriteLine(StringBuilder builder, string path, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (path.Length > 0)
        {
            builder.Append(path).Append(": ");
        }

        builder.Append(value).Append('\n');
    }
}
