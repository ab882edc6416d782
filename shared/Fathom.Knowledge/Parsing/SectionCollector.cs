using System.Text;

namespace Fathom.Knowledge.Parsing;

/// <summary>
/// Accumulates text block by block and starts a new section whenever the heading changes. With limits, it stops
/// the parse as soon as the text passes <see cref="ParsingLimits.MaxTextCharacters"/>, before more is built.
/// </summary>
internal sealed class SectionCollector(ParsingLimits? limits = null)
{
    private readonly List<DocumentSection> _sections = [];
    private readonly HeadingTrail _headings = new();
    private readonly StringBuilder _text = new();
    private long _flushed;

    public void Heading(int level, string text)
    {
        Flush();
        _headings.Enter(level, text);
    }

    /// <summary>Appends a paragraph-like block, separated from its neighbours by a blank line.</summary>
    public void Block(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        EndBlock();
        _text.Append(text);
        EndBlock();
        CheckLimit();
    }

    /// <summary>Appends one line of a multi-line block (list item, table row, code line); call <see cref="EndBlock"/> after the last.</summary>
    public void Line(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        _text.Append(text).Append('\n');
        CheckLimit();
    }

    private void CheckLimit()
    {
        if (limits is not null && _flushed + _text.Length > limits.MaxTextCharacters)
        {
            throw new DocumentTooLargeException(DocumentParsers.TooMuchText(_flushed + _text.Length, limits));
        }
    }

    public void EndBlock()
    {
        if (_text.Length == 0)
        {
            return;
        }

        while (!(_text.Length >= 2 && _text[^1] == '\n' && _text[^2] == '\n'))
        {
            _text.Append('\n');
        }
    }

    public ParsedDocument Build()
    {
        Flush();
        return new ParsedDocument(_sections);
    }

    private void Flush()
    {
        if (_text.Length > 0)
        {
            _sections.Add(new DocumentSection(_text.ToString(), Heading: _headings.Path));
            _flushed += _text.Length;
            _text.Clear();
        }
    }
}
