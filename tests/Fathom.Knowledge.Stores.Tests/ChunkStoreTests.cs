namespace Fathom.Knowledge.Stores.Tests;

/// <summary>ChunkStore on a real pgvector server: idempotent COPY, many callers at once, filtered HNSW search.</summary>
public sealed class ChunkStoreTests : IAsyncLifetime
{
    private const int Dimension = 32;
    private readonly VectorStoreFixture _vectors = new();
    private readonly Random _random = new(7);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _vectors.DisposeAsync();

    [Fact]
    public async Task A_retried_batch_stores_every_chunk_once()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        var document = Guid.NewGuid();

        await _vectors.Store.InsertAsync(collection, VectorStoreFixture.Chunks(document, 0, 40, _ => VectorStoreFixture.RandomUnitVector(_random, Dimension)), default);
        // The retry carries the 40 already stored and 10 new ones.
        await _vectors.Store.InsertAsync(collection, VectorStoreFixture.Chunks(document, 0, 50, _ => VectorStoreFixture.RandomUnitVector(_random, Dimension)), default);

        Assert.Equal(50, await _vectors.Store.CountAsync(collection, document, default));
        Assert.Equal(Enumerable.Range(0, 50).ToHashSet(), await _vectors.Store.StoredPositionsAsync(collection, document, 1, default));
    }

    [Fact]
    public async Task Deliveries_of_one_document_racing_each_other_store_each_chunk_once()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        var document = Guid.NewGuid();
        var vectors = Enumerable.Range(0, 120).Select(_ => VectorStoreFixture.RandomUnitVector(_random, Dimension)).ToArray();

        // Eight writers with overlapping slices of the same 120 chunks, as redelivered entries would.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() =>
            _vectors.Store.InsertAsync(collection, VectorStoreFixture.Chunks(document, w * 10, 50, p => vectors[p]), default))));

        Assert.Equal(120, await _vectors.Store.CountAsync(collection, document, default));
    }

    [Fact]
    public async Task Processes_writing_the_first_chunks_of_a_collection_at_once_create_its_tables_once()
    {
        // Four stores on their own pools stand for four Ingestion processes; each collection's first write races.
        var stores = Enumerable.Range(0, 4).Select(_ => new VectorStoreFixture(maxPoolSize: 4)).ToArray();
        try
        {
            for (var round = 0; round < 10; round++)
            {
                var collection = Guid.NewGuid();
                _vectors.Track(collection);
                await Task.WhenAll(stores.Select((fixture, i) => Task.Run(async () =>
                {
                    await fixture.Store.EnsureCollectionAsync(collection, Dimension, default);
                    await fixture.Store.InsertAsync(collection, VectorStoreFixture.Chunks(Guid.NewGuid(), 0, 2, _ => VectorStoreFixture.RandomUnitVector(_random, Dimension)), default);
                })));
                Assert.Equal(8, (await _vectors.Store.SearchVectorAsync(collection, VectorStoreFixture.RandomUnitVector(_random, Dimension), 20, null, default)).Count);
            }
        }
        finally
        {
            foreach (var fixture in stores)
            {
                await fixture.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Concurrent_searches_during_writes_each_get_their_own_collections_results()
    {
        // Eight collections, each written and searched at once: a result from another caller's statement would
        // show as a document id of another collection or a wrong nearest chunk.
        var collections = new List<(Guid Collection, Guid Document, float[][] Vectors)>();
        for (var i = 0; i < 8; i++)
        {
            var vectors = Enumerable.Range(0, 200).Select(_ => VectorStoreFixture.RandomUnitVector(_random, Dimension)).ToArray();
            collections.Add((await _vectors.CollectionAsync(Dimension), Guid.NewGuid(), vectors));
        }
        await Task.WhenAll(collections.Select(c => _vectors.Store.InsertAsync(c.Collection, VectorStoreFixture.Chunks(c.Document, 0, 100, p => c.Vectors[p]), default)));

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var writers = collections.Select(c => Task.Run(async () =>
        {
            for (var from = 100; from < 200; from += 10)
            {
                await _vectors.Store.InsertAsync(c.Collection, VectorStoreFixture.Chunks(c.Document, from, 10, p => c.Vectors[p]), default);
            }
        }));
        var searchers = collections.Select((c, n) => Task.Run(async () =>
        {
            for (var round = 0; round < 25; round++)
            {
                var position = (round * 7) % 100;
                var hits = await _vectors.Store.SearchVectorAsync(c.Collection, c.Vectors[position], 5, null, default, exact: round % 2 == 0);
                var text = await _vectors.Store.SearchFullTextAsync(c.Collection, $"chunk {c.Document:N}", 5, null, Bm25Settings.Default, default);
                if (hits.Count == 0 || hits[0].ChunkId != ChunkRecord.IdFor(c.Document, 1, position) || hits.Any(h => h.DocumentId != c.Document)
                    || text.Any(h => h.DocumentId != c.Document))
                {
                    failures.Add($"collection {n}, round {round}: nearest {hits.FirstOrDefault()?.ChunkId ?? "none"}, expected {ChunkRecord.IdFor(c.Document, 1, position)}");
                }
            }
        }));
        await Task.WhenAll(writers.Concat(searchers));

        Assert.Empty(failures);
        foreach (var c in collections)
        {
            Assert.Equal(200, await _vectors.Store.CountAsync(c.Collection, c.Document, default));
        }
    }

    [Fact]
    public async Task A_document_filter_still_fills_the_top_k_when_its_chunks_are_far_from_the_query()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        var query = VectorStoreFixture.RandomUnitVector(_random, Dimension);
        var away = query.Select(x => -x).ToArray();
        // Twenty documents of 100 chunks around the query fill every HNSW candidate list; the twenty the filter
        // asks for (half the rows, so the planner walks the graph rather than sorting them) sit on the far side.
        var wanted = new List<Guid>();
        for (var d = 0; d < 40; d++)
        {
            var document = Guid.NewGuid();
            var far = d % 2 == 0;
            if (far)
            {
                wanted.Add(document);
            }
            await _vectors.Store.InsertAsync(collection, VectorStoreFixture.Chunks(document, 0, 100,
                _ => VectorStoreFixture.RandomUnitVector(_random, Dimension, far ? away : query, 0.3f)), default);
        }
        await _vectors.Store.RebuildVectorIndexAsync(collection, default);
        await using (var analyze = _vectors.Source.CreateCommand($"ANALYZE {ChunkStore.Table(collection)}"))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        var hits = await _vectors.Store.SearchVectorAsync(collection, query, 10, [.. wanted], default);

        Assert.Equal(10, hits.Count);
        Assert.All(hits, h => Assert.Contains(h.DocumentId, wanted));
        Assert.Equal(hits.OrderByDescending(h => h.Score).Select(h => h.ChunkId), hits.Select(h => h.ChunkId));
    }

    [Fact]
    public async Task The_candidate_list_setting_lasts_for_one_query_only()
    {
        // One connection in the pool: the search and the check below share it.
        await using var single = new VectorStoreFixture(maxPoolSize: 1);
        var collection = await single.CollectionAsync(Dimension);
        var document = Guid.NewGuid();
        await single.Store.InsertAsync(collection, VectorStoreFixture.Chunks(document, 0, 20, _ => VectorStoreFixture.RandomUnitVector(_random, Dimension)), default);

        Assert.NotEmpty(await single.Store.SearchVectorAsync(collection, VectorStoreFixture.RandomUnitVector(_random, Dimension), 5, [document], default));

        await using var show = single.Source.CreateCommand("SELECT current_setting('hnsw.ef_search'), current_setting('hnsw.iterative_scan')");
        await using var reader = await show.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("40", reader.GetString(0));
        Assert.Equal("off", reader.GetString(1));
    }

    [Fact]
    public async Task Searching_a_collection_with_nothing_indexed_yet_finds_nothing_and_holds_no_connection()
    {
        // One connection in the pool: a search that kept it would leave the next one waiting for the pool's timeout.
        await using var single = new VectorStoreFixture(maxPoolSize: 1);
        var empty = Guid.NewGuid();

        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(await single.Store.SearchVectorAsync(empty, VectorStoreFixture.RandomUnitVector(_random, Dimension), 5, null, default));
            Assert.Empty(await single.Store.SearchVectorAsync(empty, VectorStoreFixture.RandomUnitVector(_random, Dimension), 5, [Guid.NewGuid()], default));
            Assert.Empty(await single.Store.SearchFullTextAsync(empty, "anything at all", 5, null, new Bm25Settings(0.9, 0.4), default));
        }
        var collection = await single.CollectionAsync(Dimension);
        await single.Store.InsertAsync(collection, VectorStoreFixture.Chunks(Guid.NewGuid(), 0, 3, _ => VectorStoreFixture.RandomUnitVector(_random, Dimension)), default);
        Assert.Equal(3, (await single.Store.SearchVectorAsync(collection, VectorStoreFixture.RandomUnitVector(_random, Dimension), 5, null, default)).Count);
    }

    [Fact]
    public async Task A_rebuilt_vector_index_finds_the_stored_vectors()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        var document = Guid.NewGuid();
        var vectors = Enumerable.Range(0, 500).Select(_ => VectorStoreFixture.RandomUnitVector(_random, Dimension)).ToArray();
        await _vectors.Store.InsertAsync(collection, VectorStoreFixture.Chunks(document, 0, 500, p => vectors[p]), default);

        await _vectors.Store.RebuildVectorIndexAsync(collection, default);

        await using var index = _vectors.Source.CreateCommand($"SELECT indexdef FROM pg_indexes WHERE indexname = '{ChunkStore.Table(collection)}_hnsw'");
        Assert.Contains("USING hnsw", (string?)await index.ExecuteScalarAsync(), StringComparison.Ordinal);
        var found = 0;
        foreach (var p in new[] { 0, 99, 250, 499 })
        {
            var hits = await _vectors.Store.SearchVectorAsync(collection, vectors[p], 1, null, default);
            found += hits.Single().ChunkId == ChunkRecord.IdFor(document, 1, p) ? 1 : 0;
        }
        Assert.Equal(4, found);
    }
}
