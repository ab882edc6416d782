namespace Fathom.Knowledge.Stores.Tests;

public sealed class FullTextQueryTests
{
    [Theory]
    [InlineData("encode json", false)]
    [InlineData("\"json format\"", true)]
    [InlineData("-legacy json", true)]
    [InlineData("json -legacy", true)]
    [InlineData("json OR yaml", true)]
    [InlineData("json or yaml", false)]
    [InlineData("well-known ports", false)]
    public void Quotes_minus_and_OR_mean_web_search_syntax(string query, bool webSearch)
        => Assert.Equal(webSearch, FullTextQuery.IsWebSearch(query));

    [Theory]
    [InlineData("\"json format\" decoder", "json format  decoder")]
    [InlineData("json -legacy -\"old api\" OR yaml", "json   OR yaml")]
    [InlineData("-legacy", "")]
    [InlineData("well-known -x", "well-known")]
    public void Ranking_words_leave_out_what_is_negated(string query, string words)
        => Assert.Equal(words, FullTextQuery.PositiveWords(query));
}
