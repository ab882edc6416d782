using System.IO.Compression;
using System.Xml;
using System.Xml.Linq;

namespace Fathom.Knowledge.Parsing;

/// <summary>
/// The two parts of a .docx that text extraction needs (the main document and its styles), read from the zip by
/// following the package's relationships as ECMA-376 part 2 lays them out. A few dozen lines instead of the Open XML
/// SDK, whose thousands of element types made up a fifth of the Ingestion app's binary and its start-up.
/// </summary>
internal sealed class WordPackage : IDisposable
{
    private const string PackageRelationships = "http://schemas.openxmlformats.org/package/2006/relationships";
    private const string ContentTypes = "http://schemas.openxmlformats.org/package/2006/content-types";

    /// <summary>The body's namespace in transitional documents (what Word writes) and in strict ones.</summary>
    private static readonly string[] WordNamespaces =
    [
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main",
    ];

    private readonly ZipArchive _zip;
    private readonly string _documentPath;

    private WordPackage(ZipArchive zip, string documentPath)
    {
        _zip = zip;
        _documentPath = documentPath;
    }

    /// <summary>
    /// Opens a package whose office document is a Word main part; anything else is not a .docx. First of all, the
    /// sizes the zip's central directory declares are summed, before any part is inflated: a part that inflates past
    /// its declared size makes the zip reader throw, so the declaration cannot be used to sneak past the limit.
    /// </summary>
    public static WordPackage Open(Stream stream, long maxExpandedBytes)
    {
        var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        try
        {
            var expanded = zip.Entries.Sum(e => e.Length);
            if (expanded > maxExpandedBytes)
            {
                throw new DocumentTooLargeException(
                    $"The Word document expands to {expanded / (1024.0 * 1024):N0} MB when unzipped, past the limit of {maxExpandedBytes / (1024.0 * 1024):N0} MB (Ingestion__MaxExpandedBytes).");
            }
            var target = Relationships(zip, "_rels/.rels", "")
                .FirstOrDefault(r => r.Type.EndsWith("/officeDocument", StringComparison.Ordinal)).Target
                ?? throw new DocumentParseException("The Word document could not be read: it has no main document part.");
            if (!IsWordMainPart(ContentTypeOf(zip, target)))
            {
                throw new DocumentParseException("The Word document could not be read: the file is damaged or is not a .docx file.");
            }
            return new WordPackage(zip, target);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>The main document; its root's namespace is one of Word's.</summary>
    public XElement Document()
    {
        var root = Load(_zip, _documentPath) ?? throw new DocumentParseException("The Word document could not be read: it has no document body.");
        return WordNamespaces.Contains(root.Name.NamespaceName)
            ? root
            : throw new DocumentParseException("The Word document could not be read: the file is damaged or is not a .docx file.");
    }

    /// <summary>The style definitions the main document points to, if any.</summary>
    public XElement? Styles()
    {
        var slash = _documentPath.LastIndexOf('/');
        var folder = slash < 0 ? "" : _documentPath[..(slash + 1)];
        var relationships = $"{folder}_rels/{_documentPath[(slash + 1)..]}.rels";
        var styles = Relationships(_zip, relationships, folder).FirstOrDefault(r => r.Type.EndsWith("/styles", StringComparison.Ordinal)).Target;
        return styles is null ? null : Load(_zip, styles);
    }

    public void Dispose() => _zip.Dispose();

    /// <summary>A document or template, with or without macros (the four main-part types Word writes).</summary>
    private static bool IsWordMainPart(string? contentType)
        => contentType is not null
            && (contentType.StartsWith("application/vnd.openxmlformats-officedocument.wordprocessingml.", StringComparison.Ordinal)
                || contentType.StartsWith("application/vnd.ms-word.", StringComparison.Ordinal))
            && contentType.EndsWith(".main+xml", StringComparison.Ordinal);

    /// <summary>A part's content type: its override, else its extension's default ([Content_Types].xml).</summary>
    private static string? ContentTypeOf(ZipArchive zip, string path)
    {
        var types = Load(zip, "[Content_Types].xml");
        if (types is null)
        {
            return null;
        }
        XNamespace ns = ContentTypes;
        var byOverride = types.Elements(ns + "Override")
            .FirstOrDefault(o => string.Equals(((string?)o.Attribute("PartName"))?.TrimStart('/'), path, StringComparison.OrdinalIgnoreCase));
        if (byOverride is not null)
        {
            return (string?)byOverride.Attribute("ContentType");
        }
        var extension = Path.GetExtension(path).TrimStart('.');
        return (string?)types.Elements(ns + "Default")
            .FirstOrDefault(d => string.Equals((string?)d.Attribute("Extension"), extension, StringComparison.OrdinalIgnoreCase))
            ?.Attribute("ContentType");
    }

    /// <summary>A relationships part's internal targets as zip entry names (resolved against <paramref name="folder"/>).</summary>
    private static IEnumerable<(string Type, string? Target)> Relationships(ZipArchive zip, string path, string folder)
    {
        XNamespace ns = PackageRelationships;
        foreach (var relationship in Load(zip, path)?.Elements(ns + "Relationship") ?? [])
        {
            if ((string?)relationship.Attribute("TargetMode") == "External" || (string?)relationship.Attribute("Target") is not { Length: > 0 } target)
            {
                continue;
            }
            yield return ((string?)relationship.Attribute("Type") ?? "", Resolve(folder, Uri.UnescapeDataString(target)));
        }
    }

    private static string Resolve(string folder, string target)
    {
        var parts = new List<string>();
        foreach (var segment in (target.StartsWith('/') ? target : folder + target).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (segment != ".")
            {
                parts.Add(segment);
            }
        }
        return string.Join('/', parts);
    }

    /// <summary>An XML part, or null when the zip has no such entry. DTDs are refused: a part has no use for one, and an entity is how XXE and "billion laughs" get in.</summary>
    private static XElement? Load(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(path) ?? zip.Entries.FirstOrDefault(e => string.Equals(e.FullName, path, StringComparison.OrdinalIgnoreCase));
        if (entry is null)
        {
            return null;
        }
        using var stream = entry.Open();
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true });
        return XElement.Load(reader, LoadOptions.None);
    }
}
