namespace Fathom.Knowledge.Parsing;

/// <summary>The headings above the current position, outermost first; a new heading replaces those at its level and below.</summary>
internal sealed class HeadingTrail
{
    private const string Separator = " > ";
    private readonly List<(int Level, string Text)> _headings = [];

    /// <summary>The current path like "Intro &gt; Setup", or null before the first heading.</summary>
    public string? Path => _headings.Count == 0 ? null : string.Join(Separator, _headings.Select(h => h.Text));

    public void Enter(int level, string text)
    {
        var clean = TextProcessing.TextNormalizer.Normalize(text).Replace('\n', ' ');
        if (clean.Length == 0)
        {
            return;
        }

        _headings.RemoveAll(h => h.Level >= level);
        _headings.Add((level, clean));
    }
}
