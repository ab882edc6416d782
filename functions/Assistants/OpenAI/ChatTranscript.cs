using System.Text;
using System.Text.Json;
using Fathom.Functions;
using Fathom.Http;
using Microsoft.Extensions.AI;

namespace Assistants.Functions.OpenAI;

/// <summary>
/// The messages of a chat request as Fathom uses them: the last user message is the question (what is
/// searched), the turns before it are the conversation the chat model sees. Content may be a string or
/// an array of parts; text parts are joined, other parts (images, audio, files) are refused by name.
/// </summary>
public sealed record ChatTranscript(string Question, IReadOnlyList<ChatMessage> Earlier, IReadOnlyList<string> Texts)
{
    public const int MaxQuestionLength = 20_000;

    /// <summary>
    /// Text of all messages together, the question included: what goes to the chat model besides Fathom's own
    /// instructions and sources (about 15k tokens of English), and what is counted for <c>usage</c>.
    /// </summary>
    public const int MaxConversationLength = 60_000;

    /// <summary>Longest content-part type repeated in an error message.</summary>
    private const int MaxQuotedType = 40;

    /// <summary>What separates an answer from the sources it cites (see <see cref="ChatCompletions.CitedAnswer"/>).</summary>
    public const string SourcesHeading = "\n\nSources:\n";

    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool", "function"];

    public static void Validate(IReadOnlyList<ChatMessageDto>? messages, ValidationErrors errors)
    {
        if (messages is null || messages.Count == 0)
        {
            errors.Add("messages", "'messages' must hold at least one message.");
            return;
        }
        var lastUser = -1;
        long total = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message is null || !Roles.Contains(message.Role, StringComparer.Ordinal))
            {
                errors.Add($"messages[{i}].role", $"'messages[{i}].role' must be one of: {string.Join(", ", Roles)}.");
                continue;
            }
            if (ReadContent(message.Content, $"messages[{i}].content", errors) is { } text)
            {
                total += text.Length;
                if (message.Role == "user" && !string.IsNullOrWhiteSpace(text))
                {
                    lastUser = i;
                }
            }
        }
        if (total > MaxConversationLength)
        {
            errors.Add("messages", $"The messages hold {total:N0} characters of text; at most {MaxConversationLength:N0} are allowed in all (the question, the last user message, at most {MaxQuestionLength:N0}).");
            return;
        }
        if (lastUser < 0 && errors.IsEmpty)
        {
            errors.Add("messages", "At least one user message with text is required: it is the question Fathom searches for.");
        }
        else if (lastUser >= 0 && TextOf(messages[lastUser].Content).Length > MaxQuestionLength)
        {
            errors.Add($"messages[{lastUser}].content", $"The question (the last user message) may be at most {MaxQuestionLength} characters long.");
        }
    }

    /// <summary>Reads validated messages (see <see cref="Validate"/>).</summary>
    public static ChatTranscript From(IReadOnlyList<ChatMessageDto> messages)
    {
        var lastUser = -1;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role == "user" && !string.IsNullOrWhiteSpace(TextOf(messages[i].Content)))
            {
                lastUser = i;
            }
        }
        var earlier = new List<ChatMessage>();
        for (var i = 0; i < lastUser; i++)
        {
            // Tool results belong to tool calls Fathom never made; they have no place in its conversation.
            var role = messages[i].Role switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => (ChatRole?)null,
            };
            var text = TextOf(messages[i].Content);
            if (role == ChatRole.Assistant && text.IndexOf(SourcesHeading, StringComparison.Ordinal) is >= 0 and var cut)
            {
                // An earlier answer of Fathom's sent back: its sources list numbered that turn's sources, not this one's.
                text = text[..cut];
            }
            if (role is { } r && text.Length > 0)
            {
                earlier.Add(new ChatMessage(r, text));
            }
        }
        return new ChatTranscript(TextOf(messages[lastUser].Content), earlier, messages.Select(m => TextOf(m.Content)).ToList());
    }

    private static string TextOf(JsonElement? content) => ReadContent(content, "", errors: null) ?? "";

    /// <summary>The text of a content value; adds an error (when given a list) for shapes and parts Fathom cannot use.</summary>
    private static string? ReadContent(JsonElement? content, string field, ValidationErrors? errors)
    {
        switch (content?.ValueKind)
        {
            case null or JsonValueKind.Null:
                return "";
            case JsonValueKind.String:
                return content.Value.GetString();
            case JsonValueKind.Array:
                var text = new StringBuilder();
                var index = 0;
                foreach (var part in content.Value.EnumerateArray())
                {
                    if (errors?.IsEmpty == false && index > 0)
                    {
                        // One bad part is reported; a list of thousands would only repeat it.
                        break;
                    }
                    var where = $"{field}[{index++}]";
                    var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    if (type == "text" && part.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        text.Append(text.Length > 0 ? "\n" : "").Append(value.GetString());
                    }
                    else if (type is null or "text")
                    {
                        errors?.Add(where, $"'{where}' must be an object with \"type\": \"text\" and a string \"text\".");
                    }
                    else
                    {
                        var quoted = type.Length <= MaxQuotedType ? type : type[..MaxQuotedType] + "…";
                        errors?.Add($"{where}.type", $"Content parts of type '{quoted}' are not supported: Fathom answers from text, so send only parts of type 'text'.");
                    }
                }
                return text.ToString();
            default:
                errors?.Add(field, $"'{field}' must be a string or an array of content parts.");
                return null;
        }
    }
}
