using Microsoft.Extensions.Configuration;

namespace Fathom.Knowledge.Stores.Tests;

/// <summary>ChunkSearch through its one contract, <see cref="SearchQuery"/>: modes by name, refusals, and the score floor.</summary>
public sealed class ChunkSearchTests : IAsyncLifetime
{
    private readonly VectorStoreFixture _vectors = new();
    private readonly CollectionEmbedders _embedders = new(new ConfigurationBuilder().Build());

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _embedders.Dispose();
        await _vectors.DisposeAsync();
    }

    [Fact]
    public void Every_mode_reads_back_from_its_name_and_an_unknown_name_is_no_mode()
    {
        Assert.Equal(SearchModes.All, SearchModes.Names.Select(SearchModes.Parse));
        Assert.Equal(SearchModes.Names, SearchModes.All.Select(m => m.Name()));
        Assert.False(SearchModes.TryParse("psychic", out _));
        Assert.False(SearchModes.TryParse("Hybrid", out _));
        Assert.Throws<ArgumentException>(() => SearchModes.Parse("psychic"));
    }

    [Fact]
    public async Task A_mode_outside_the_enum_is_refused_not_searched_as_hybrid()
    {
        var (collection, settings) = await CollectionAsync("otters hold hands while sleeping");
        var search = new ChunkSearch(_vectors.Store, _embedders);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => search.SearchAsync(collection, settings, new SearchQuery("otters", (SearchMode)7, 5), default));
    }

    [Fact]
    public async Task Min_score_keeps_only_hits_at_or_above_it_in_every_mode()
    {
        var (collection, settings) = await CollectionAsync("otters hold hands while sleeping", "sea otters eat urchins", "badgers dig setts");
        var search = new ChunkSearch(_vectors.Store, _embedders);

        foreach (var mode in SearchModes.All)
        {
            var all = await search.SearchAsync(collection, settings, new SearchQuery("otters sleeping", mode, 10), default);
            Assert.True(all.Count >= 2, $"{mode}: {all.Count} hits");
            var floor = all[0].Score;
            var kept = await search.SearchAsync(collection, settings, new SearchQuery("otters sleeping", mode, 10) { MinScore = floor }, default);
            Assert.Equal(all.Where(h => h.Score >= floor).Select(h => h.ChunkId), kept.Select(h => h.ChunkId));
            Assert.True(kept.Count < all.Count, mode.Name());
        }
    }

    private async Task<(Guid Collection, CollectionSettings Settings)> CollectionAsync(params string[] texts)
    {
        var embedding = _embedders.Default;
        var collection = await _vectors.CollectionAsync(embedding.Dimension);
        var document = Guid.NewGuid();
        var vectors = await _embedders.For(embedding).GenerateAsync(texts);
        await _vectors.Store.InsertAsync(collection, texts.Select((t, i) => new ChunkRecord(ChunkRecord.IdFor(document, 1, i), document, 1, i, t, null, null, vectors[i].Vector.ToArray())).ToList(), default);
        return (collection, new CollectionSettings(400, 50, embedding, Bm25Settings.Default));
    }
}
