namespace Fathom.Knowledge.Parsing;

/// <summary>The text of one uploaded file, split into the sections its format gives (pages, heading blocks).</summary>
public sealed record ParsedDocument(IReadOnlyList<DocumentSection> Sections);

/// <summary>
/// A run of text that shares one page and one heading.
/// <paramref name="Page"/> is 1-based and set for PDFs only; <paramref name="Heading"/> is the
/// heading path above the text, outermost first, like "Intro &gt; Setup".
/// </summary>
public sealed record DocumentSection(string Text, int? Page = null, string? Heading = null);
