namespace Fathom.Knowledge.Stores.Tests;

/// <summary>BM25 full text on a real PostgreSQL: scores, idf, filters, ties, and postings and counts that stay true under writes.</summary>
public sealed class FullTextTests : IAsyncLifetime
{
    private const int Dimension = 8;
    private static readonly Bm25Settings Anserini = Bm25Settings.Default;
    private readonly VectorStoreFixture _vectors = new();
    private readonly Random _random = new(11);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _vectors.DisposeAsync();

    [Fact]
    public async Task Scores_are_bm25_as_computed_by_hand()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        var document = Guid.NewGuid();
        // english analysis: apple → appl, cherry → cherri; no stop words here. Lengths 3, 2 and 4: avgdl = 3, N = 3.
        await InsertAsync(collection, document, "apple banana apple", "banana cherry", "cherry date elderberry fig");

        var apple = await _vectors.Store.SearchFullTextAsync(collection, "apple", 10, null, Anserini, default);
        var both = await _vectors.Store.SearchFullTextAsync(collection, "banana cherry", 10, null, new Bm25Settings(1.2, 0.75), default);

        // idf = ln(1 + (N − df + 0.5) / (df + 0.5)); tf part = tf · (k1 + 1) / (tf + k1 · (1 − b + b · len / avgdl)).
        var hit = Assert.Single(apple);
        Assert.Equal(ChunkRecord.IdFor(document, 1, 0), hit.ChunkId);
        Assert.Equal(Math.Log(1 + ((3 - 1 + 0.5) / (1 + 0.5))) * 2 * 1.9 / (2 + (0.9 * (1 - 0.4 + (0.4 * 3 / 3.0)))), hit.Score, 9);
        var idf2 = Math.Log(1 + ((3 - 2 + 0.5) / (2 + 0.5)));
        double TfPart(int length) => 1 * 2.2 / (1 + (1.2 * (1 - 0.75 + (0.75 * length / 3.0))));
        var expected = new[]
        {
            (ChunkRecord.IdFor(document, 1, 1), (idf2 * TfPart(2)) + (idf2 * TfPart(2))),
            (ChunkRecord.IdFor(document, 1, 0), idf2 * TfPart(3)),
            (ChunkRecord.IdFor(document, 1, 2), idf2 * TfPart(4)),
        };
        Assert.Equal(expected.Select(e => e.Item1), both.Select(h => h.ChunkId));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Item2, both[i].Score, 9);
        }
    }

    [Fact]
    public async Task A_rare_word_outranks_a_common_one_said_twice()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        var document = Guid.NewGuid();
        var texts = Enumerable.Range(0, 30).Select(i => $"kettle kettle brewing note {i}").Append("saffron harvest note").ToArray();
        await InsertAsync(collection, document, texts);

        var hits = await _vectors.Store.SearchFullTextAsync(collection, "kettle saffron", 5, null, Anserini, default);

        // Cover density (ts_rank_cd) put the chunks saying "kettle" twice first; BM25's idf weighs the one "saffron" higher.
        Assert.Equal(ChunkRecord.IdFor(document, 1, 30), hits[0].ChunkId);
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Fact]
    public async Task Counts_and_postings_stay_true_after_old_versions_and_documents_are_deleted()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        var report = Guid.NewGuid();
        var memo = Guid.NewGuid();
        await _vectors.Store.InsertAsync(collection, Versioned(report, 1, "draft river survey", "draft river delta"), default);
        await _vectors.Store.InsertAsync(collection, Versioned(report, 2, "final river survey with maps", "final delta", "appendix river"), default);
        await _vectors.Store.InsertAsync(collection, Versioned(memo, 1, "memo about the delta", "memo about lunch"), default);
        Assert.Equal((7, 0), await InconsistenciesAsync(collection));

        await _vectors.Store.DeleteOtherVersionsAsync(collection, report, 2, default);
        Assert.Equal((5, 0), await InconsistenciesAsync(collection));
        Assert.DoesNotContain(await _vectors.Store.SearchFullTextAsync(collection, "draft", 10, null, Anserini, default), h => true);

        await _vectors.Store.DeleteDocumentAsync(collection, memo, default);
        Assert.Equal((3, 0), await InconsistenciesAsync(collection));
        await _vectors.Store.DeleteDocumentAsync(collection, memo, default);
        await _vectors.Store.DeleteOtherVersionsAsync(collection, report, 2, default);
        Assert.Equal((3, 0), await InconsistenciesAsync(collection));
        Assert.Empty(await _vectors.Store.SearchFullTextAsync(collection, "lunch", 10, null, Anserini, default));
    }

    [Fact]
    public async Task Eight_writers_into_one_collection_neither_deadlock_nor_lose_counts()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        var shared = Guid.NewGuid();
        var words = new[] { "lantern", "harbor", "copper", "meadow", "signal", "orchard", "quartz", "violet" };
        // Each writer ingests its own documents in batches, re-sends one batch of a shared document (a redelivery
        // racing the others) and deletes an old version, all into the same tables at once.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var d = 0; d < 5; d++)
            {
                var document = Guid.NewGuid();
                for (var batch = 0; batch < 3; batch++)
                {
                    await _vectors.Store.InsertAsync(collection, Enumerable.Range(batch * 8, 8).Select(p => Chunk(document, 1, p,
                        $"{words[w]} {words[(w + p) % 8]} {words[(d + p) % 8]} report {p}")).ToList(), default);
                }
                if (d == 4)
                {
                    await _vectors.Store.InsertAsync(collection, [Chunk(document, 2, 0, $"{words[w]} revised")], default);
                    await _vectors.Store.DeleteOtherVersionsAsync(collection, document, 2, default);
                }
            }
            await _vectors.Store.InsertAsync(collection, Enumerable.Range(w * 4, 12).Select(p => Chunk(shared, 1, p, $"shared {words[p % 8]} {p}")).ToList(), default);
        })));

        // 8 writers × (4 documents × 24 chunks + 1 revised), plus the shared document's positions 0..39.
        Assert.Equal(((8 * ((4 * 24) + 1)) + 40, 0), await InconsistenciesAsync(collection));
    }

    [Fact]
    public async Task Quotes_minus_and_or_still_filter_the_ranked_chunks()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        var document = Guid.NewGuid();
        await InsertAsync(collection, document, "solar panel on the roof", "solar water heater", "wind turbine on the roof", "panel discussion about wind");

        async Task<string[]> Positions(string query) => [.. (await _vectors.Store.SearchFullTextAsync(collection, query, 10, null, Anserini, default)).Select(h => h.ChunkId.Split(':')[2]).Order()];

        Assert.Equal(["0"], await Positions("\"solar panel\""));
        Assert.Equal(["1"], await Positions("solar -roof"));
        Assert.Equal(["0", "2", "3"], await Positions("panel OR turbine"));
        Assert.Equal(["0"], await Positions("roof -\"wind turbine\""));
        Assert.Empty(await Positions("-solar"));
        Assert.Equal(["0", "1", "2"], await Positions("solar roof"));
        var other = Guid.NewGuid();
        await InsertAsync(collection, other, "solar farm");
        Assert.Equal([ChunkRecord.IdFor(other, 1, 0)], (await _vectors.Store.SearchFullTextAsync(collection, "solar", 10, [other], Anserini, default)).Select(h => h.ChunkId));
    }

    [Fact]
    public async Task Equal_scores_come_back_in_one_order_every_time()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        foreach (var _ in Enumerable.Range(0, 4))
        {
            await InsertAsync(collection, Guid.NewGuid(), Enumerable.Repeat("identical tidal notes", 10).ToArray());
        }

        var first = await _vectors.Store.SearchFullTextAsync(collection, "tidal", 15, null, Anserini, default);
        var second = await _vectors.Store.SearchFullTextAsync(collection, "tidal notes", 15, null, Anserini, default);
        var again = await _vectors.Store.SearchFullTextAsync(collection, "tidal", 15, null, Anserini, default);

        Assert.Equal(15, first.Count);
        Assert.Single(first.Select(h => h.Score).Distinct());
        Assert.Equal(first.Select(h => h.ChunkId), again.Select(h => h.ChunkId));
        Assert.Equal(first.Select(h => h.ChunkId).Order(StringComparer.Ordinal), first.Select(h => h.ChunkId));
        Assert.Equal(second.Select(h => h.ChunkId).Order(StringComparer.Ordinal), second.Select(h => h.ChunkId));
    }

    [Fact]
    public async Task A_collection_stored_before_postings_gets_them_on_first_use()
    {
        // The table as earlier versions made it: no seq, a GIN index, rows written without postings or counts.
        var collection = Guid.NewGuid();
        _vectors.Track(collection);
        var table = ChunkStore.Table(collection);
        var document = Guid.NewGuid();
        await using (var old = _vectors.Source.CreateBatch())
        {
            old.BatchCommands.Add(new($"""
                CREATE TABLE {table} (
                    id text PRIMARY KEY, document_id uuid NOT NULL, document_version integer NOT NULL, position integer NOT NULL,
                    page integer, heading text, text text NOT NULL, embedding vector({Dimension}) NOT NULL,
                    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(heading, '') || ' ' || text)) STORED)
                """));
            old.BatchCommands.Add(new($"CREATE INDEX {table}_hnsw ON {table} USING hnsw (embedding vector_cosine_ops)"));
            old.BatchCommands.Add(new($"CREATE INDEX {table}_tsv ON {table} USING gin (tsv)"));
            var texts = new[] { "glacier melt water", "glacier ice", "desert sand dune" };
            for (var p = 0; p < texts.Length; p++)
            {
                old.BatchCommands.Add(new($"INSERT INTO {table} (id, document_id, document_version, position, text, embedding) VALUES ('{ChunkRecord.IdFor(document, 1, p)}', '{document}', 1, {p}, '{texts[p]}', '{VectorText(Dimension)}')"));
            }
            await old.ExecuteNonQueryAsync();
        }

        // A process that only searches (the Knowledge app) meets it first.
        var hits = await _vectors.Store.SearchFullTextAsync(collection, "glacier water", 10, null, Anserini, default);

        Assert.Equal([ChunkRecord.IdFor(document, 1, 0), ChunkRecord.IdFor(document, 1, 1)], hits.Select(h => h.ChunkId));
        Assert.Equal((3, 0), await InconsistenciesAsync(collection));
        await using (var gin = _vectors.Source.CreateCommand($"SELECT to_regclass('{table}_tsv') IS NULL"))
        {
            Assert.True((bool)(await gin.ExecuteScalarAsync())!);
        }
        Assert.Equal('m', await EmbeddingStorageAsync(collection));
        // Another process's store upgrades nothing twice, and writes and deletes keep the counts.
        using var other = new ChunkStore(new Fathom.Data.VectorDatabase(_vectors.Source));
        await other.EnsureCollectionAsync(collection, Dimension, default);
        await other.InsertAsync(collection, [Chunk(document, 2, 0, "glacier survey")], default);
        await other.DeleteOtherVersionsAsync(collection, document, 2, default);
        Assert.Equal((1, 0), await InconsistenciesAsync(collection));
    }

    [Fact]
    public async Task Dropping_a_collection_drops_its_postings_and_counts()
    {
        var collection = await _vectors.CollectionAsync(Dimension);
        await InsertAsync(collection, Guid.NewGuid(), "brief note");

        await _vectors.Store.DropCollectionAsync(collection, default);

        await using var left = _vectors.Source.CreateCommand("SELECT count(*) FROM pg_class WHERE relname = ANY($1)");
        left.Parameters.Add(new() { Value = new[] { ChunkStore.Table(collection), ChunkStore.PostingsTable(collection), ChunkStore.StatsTable(collection) } });
        Assert.Equal(0L, await left.ExecuteScalarAsync());
        Assert.Empty(await _vectors.Store.SearchFullTextAsync(collection, "note", 10, null, Anserini, default));
    }

    [Fact]
    public async Task Vectors_stay_in_the_row_and_the_text_goes_to_toast_first()
    {
        var collection = await _vectors.CollectionAsync(Dimension);

        // 'm' (MAIN): an exact scan of a small collection reads vectors from the row, not one TOAST fetch each.
        Assert.Equal('m', await EmbeddingStorageAsync(collection));
    }

    private async Task<char> EmbeddingStorageAsync(Guid collection)
    {
        await using var command = _vectors.Source.CreateCommand("SELECT attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'embedding'");
        command.Parameters.Add(new() { Value = ChunkStore.Table(collection) });
        return (char)(await command.ExecuteScalarAsync())!;
    }

    private Task InsertAsync(Guid collection, Guid document, params string[] texts)
        => _vectors.Store.InsertAsync(collection, texts.Select((t, p) => Chunk(document, 1, p, t)).ToList(), default);

    private List<ChunkRecord> Versioned(Guid document, int version, params string[] texts)
        => texts.Select((t, p) => Chunk(document, version, p, t)).ToList();

    private ChunkRecord Chunk(Guid document, int version, int position, string text)
        => new(ChunkRecord.IdFor(document, version, position), document, version, position, text, null, null, VectorStoreFixture.RandomUnitVector(_random, Dimension));

    private static string VectorText(int dimension) => "[" + string.Join(',', Enumerable.Repeat("0.5", dimension)) + "]";

    /// <summary>
    /// The chunk count, and how many things disagree with what the stored chunks say: the summed counts (chunks and
    /// total length) and every posting (term, chunk, tf, length), recomputed from each chunk's tsvector.
    /// </summary>
    private async Task<(long Chunks, long Wrong)> InconsistenciesAsync(Guid collection)
    {
        var chunks = ChunkStore.Table(collection);
        var postings = ChunkStore.PostingsTable(collection);
        await using var command = _vectors.Source.CreateCommand($"""
            WITH expected AS (
                SELECT u.lexeme AS term, c.seq, cardinality(u.positions) AS tf,
                       sum(cardinality(u.positions)) OVER (PARTITION BY c.seq) AS len
                FROM {chunks} c CROSS JOIN LATERAL unnest(c.tsv) u),
            stored AS (SELECT term::text, seq, tf::integer, len::bigint FROM {postings})
            SELECT (SELECT count(*) FROM {chunks}),
                   (SELECT count(*) FROM ((SELECT term, seq, tf, len FROM expected) EXCEPT ALL (SELECT * FROM stored)) missing)
                 + (SELECT count(*) FROM ((SELECT * FROM stored) EXCEPT ALL (SELECT term, seq, tf, len FROM expected)) extra)
                 + (SELECT CASE WHEN sum(chunks) = (SELECT count(*) FROM {chunks}) THEN 0 ELSE 1 END FROM {ChunkStore.StatsTable(collection)})
                 + (SELECT CASE WHEN sum(length) = (SELECT coalesce(sum(tf), 0) FROM expected) THEN 0 ELSE 1 END FROM {ChunkStore.StatsTable(collection)})
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
