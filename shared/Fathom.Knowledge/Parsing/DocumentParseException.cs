namespace Fathom.Knowledge.Parsing;

/// <summary>
/// A file could not be turned into text. The message is written for the person who uploaded it
/// and is shown as the document's error.
/// </summary>
public class DocumentParseException : Exception
{
    /// <summary>The message shown when parsing left no text at all.</summary>
    public const string NoTextMessage = "The document contains no text.";

    public DocumentParseException()
        : base(NoTextMessage)
    {
    }

    public DocumentParseException(string message)
        : base(message)
    {
    }

    public DocumentParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The file's type is not one Fathom can read (an HTTP layer answers 415).</summary>
public sealed class UnsupportedDocumentTypeException : DocumentParseException
{
    public UnsupportedDocumentTypeException()
        : base(DescribeUnsupported(null))
    {
    }

    public UnsupportedDocumentTypeException(string message)
        : base(message)
    {
    }

    public UnsupportedDocumentTypeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The user-facing message for a file named <paramref name="fileName"/>.</summary>
    public static string DescribeUnsupported(string? fileName)
    {
        var extension = string.IsNullOrEmpty(fileName) ? string.Empty : Path.GetExtension(fileName).ToLowerInvariant();
        var what = extension.Length > 0 ? $"Files of type '{extension}' are" : "Files without a known extension are";
        return $"{what} not supported. Supported types: {SupportedDocumentTypes.ExtensionsText}.";
    }
}
