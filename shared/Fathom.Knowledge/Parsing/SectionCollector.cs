using System.Text;

namespace Fathom.Knowledge.Parsing;

/// <summary>Accumulates text block by block and starts a new section whenever the heading changes.</summary>
internal sealed class SectionCollector
{
    private readonly List<DocumentSection> _sections = [];
    private readonly HeadingTrail _headings = new();
    private readonly StringBuilder _text = new();

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
    }

    /// <summary>Appends one line of a multi-line block (list item, table row, code line); call <see cref="EndBlock"/> after the last.</summary>
    public void Line(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        _text.Append(text).Append('\n');
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
            _text.Clear();
        }
    }
}
