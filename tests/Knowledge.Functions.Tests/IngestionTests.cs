using System.Net;
using System.Net.Http.Json;
using Fathom.Testing;
using StackExchange.Redis;
using static Knowledge.Functions.Tests.KnowledgeFixture;

namespace Knowledge.Functions.Tests;

[Collection(KnowledgeCollection.Name)]
public sealed class IngestionTests(KnowledgeFixture fixture)
{
    [Fact]
    public async Task Every_format_is_ingested_and_found_with_its_page_and_heading()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "Formats");
        var docs = await UploadAsync(alice, collection,
            ("notes.txt", SampleDocuments.Text("Volcanoes erupt when magma pressure builds beneath the crust.")),
            ("guide.md", SampleDocuments.Text("# Sourdough\n\nA sourdough starter needs flour, water and patience.")),
            ("page.html", SampleDocuments.Text("<html><head><style>p{}</style><script>alert(1)</script></head><body><h1>Glaciers</h1><p>Glaciers carve valleys &amp; fjords.</p></body></html>")),
            ("manual.pdf", SampleDocuments.Pdf("Introduction to bicycles.", "Chain lubrication keeps the drivetrain quiet.")),
            ("report.docx", SampleDocuments.Docx("Beekeeping", "Honeybees dance to share where nectar is.")),
            ("table.csv", SampleDocuments.Text("city,river\nParis,Seine\nCairo,Nile")),
            ("data.json", SampleDocuments.Text("{\"planet\": \"Saturn\", \"feature\": \"rings of ice\"}")));
        Assert.Equal(7, docs.Count);

        foreach (var doc in docs)
        {
            var settled = await WaitSettledAsync(alice, collection, doc.Id);
            Assert.Equal("COMPLETE", settled.Status);
            Assert.True(settled.ChunksTotal >= 1);
            Assert.Equal(settled.ChunksTotal, settled.ChunksDone);
        }

        var pdf = (await SearchAsync(alice, collection, "chain lubrication drivetrain", "fulltext")).Results[0];
        Assert.Equal("manual.pdf", pdf.DocumentName);
        Assert.Equal(2, pdf.Page);
        Assert.Contains("<mark>", pdf.Snippet, StringComparison.Ordinal);

        var docx = (await SearchAsync(alice, collection, "honeybees nectar", "hybrid")).Results[0];
        Assert.Equal("report.docx", docx.DocumentName);
        Assert.Equal("Beekeeping", docx.Heading);

        var html = (await SearchAsync(alice, collection, "glaciers fjords", "vector")).Results[0];
        Assert.Equal("page.html", html.DocumentName);
        Assert.DoesNotContain("alert", html.Text, StringComparison.Ordinal);

        Assert.Equal("data.json", (await SearchAsync(alice, collection, "Saturn rings", "hybrid")).Results[0].DocumentName);
        Assert.Equal("table.csv", (await SearchAsync(alice, collection, "Cairo Nile", "fulltext")).Results[0].DocumentName);
    }

    [Fact]
    public async Task A_corrupt_pdf_fails_its_own_document_with_the_reason_and_the_queue_keeps_flowing()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "Corrupt");
        var docs = await UploadAsync(alice, collection,
            ("broken.pdf", "%PDF-1.7 this is not really a pdf"u8.ToArray()),
            ("fine.txt", SampleDocuments.Text("Penguins huddle together to stay warm.")));

        var broken = await WaitSettledAsync(alice, collection, docs[0].Id);
        var fine = await WaitSettledAsync(alice, collection, docs[1].Id);

        Assert.Equal("FAILED", broken.Status);
        Assert.Contains("PDF", broken.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("COMPLETE", fine.Status);
    }

    [Fact]
    public async Task Bad_uploads_are_refused_with_clear_problems_and_store_nothing()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "Refusals");

        using var wrongType = await PostFilesAsync(alice, collection, ("ok.txt", SampleDocuments.Text("fine")), ("tool.exe", [1, 2, 3]));
        using var tooBig = await PostFilesAsync(alice, collection, ("big.txt", new byte[2_100_000]));
        using var empty = await PostFilesAsync(alice, collection, ("empty.txt", []));
        using var none = await alice.PostAsync($"/api/collections/{collection}/documents", new MultipartFormDataContent { { new StringContent("x"), "other" } });
        using var longName = await PostFilesAsync(alice, collection, (new string('n', 300) + ".txt", SampleDocuments.Text("fine")));
        // HttpClient will not put a NUL in a header; RFC 5987's filename* carries it percent-encoded.
        using var nulName = await PostRawAsync(alice, collection, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"files\"; filename*=UTF-8''bad%00name.txt\r\n\r\nhi\r\n--x--\r\n");
        using var noBoundary = await PostRawAsync(alice, collection, "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\nhi\r\n--x--\r\n");
        using var unclosed = await PostRawAsync(alice, collection, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\nhi");
        // Without Content-Length (chunked), the same limit cuts the body off while it is read.
        using var form = new MultipartFormDataContent("x") { { new ByteArrayContent(new byte[2_100_000]), "files", "big.txt" } };
        using var chunkedBody = new StreamContent(new MemoryStream(await form.ReadAsByteArrayAsync()));
        chunkedBody.Headers.ContentType = form.Headers.ContentType;
        using var chunkedRequest = new HttpRequestMessage(HttpMethod.Post, $"/api/collections/{collection}/documents") { Content = chunkedBody };
        chunkedRequest.Headers.TransferEncodingChunked = true;
        using var chunked = await alice.SendAsync(chunkedRequest);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        var detail = (await wrongType.ReadAsync<Problem>(HttpStatusCode.UnsupportedMediaType)).Detail;
        Assert.Contains("tool.exe", detail, StringComparison.Ordinal);
        Assert.Contains(".pdf", detail, StringComparison.Ordinal);
        Assert.Contains(".docx", detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal("application/problem+json", tooBig.Content.Headers.ContentType?.MediaType);
        Assert.Contains("2,000,000 bytes", (await tooBig.ReadAsync<Problem>(HttpStatusCode.RequestEntityTooLarge)).Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, longName.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nulName.StatusCode);
        Assert.All(new[] { noBoundary, unclosed }, r =>
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        var list = await alice.GetFromJsonAsync<ListPage<DocumentStatus>>($"/api/collections/{collection}/documents");
        Assert.Equal(0, list!.Total);
    }

    [Fact]
    public async Task Files_that_would_grow_past_the_limits_fail_with_the_limit_named_and_the_queue_flows_on()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "Bombs", chunkSize: 64, overlap: 0);
        // 6 MB of text zipped into a small .docx (past the fixture's 4 MB), and a text making ~4,000 chunks (past 3,000).
        var bomb = SampleDocuments.Docx("Bomb", new string('z', 6_000_000));
        var docs = await UploadAsync(alice, collection, ("bomb.docx", bomb), ("huge.txt", SampleDocuments.Long(10_000)), ("fine.txt", SampleDocuments.Text("Kelp forests shelter sea otters.")));

        var bombed = await WaitSettledAsync(alice, collection, docs[0].Id);
        var huge = await WaitSettledAsync(alice, collection, docs[1].Id);
        var fine = await WaitSettledAsync(alice, collection, docs[2].Id);

        Assert.True(bomb.Length < 200_000, $"the bomb should be small ({bomb.Length} bytes)");
        Assert.Equal("FAILED", bombed.Status);
        Assert.Contains("Ingestion__MaxExpandedBytes", bombed.Error, StringComparison.Ordinal);
        Assert.Equal("FAILED", huge.Status);
        Assert.Contains("Ingestion__MaxChunksPerDocument", huge.Error, StringComparison.Ordinal);
        Assert.Equal("COMPLETE", fine.Status);
    }

    [Fact]
    public async Task The_same_content_twice_is_one_document()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "Dedupe");
        var first = await UploadAsync(alice, collection, ("a.txt", SampleDocuments.Text("Identical words about tides.")));
        var second = await UploadAsync(alice, collection, ("b.txt", SampleDocuments.Text("Identical words about tides.")));

        Assert.False(first[0].Duplicate);
        Assert.True(second[0].Duplicate);
        Assert.Equal(first[0].Id, second[0].Id);
    }

    [Fact]
    public async Task A_redelivered_entry_and_a_reindex_never_duplicate_chunks()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "Idempotent", chunkSize: 64, overlap: 8);
        var id = (await UploadAsync(alice, collection, ("long.txt", SampleDocuments.Long(40))))[0].Id;
        var done = await WaitSettledAsync(alice, collection, id);
        var total = done.ChunksTotal;

        // The same entry again, as a redelivery would bring it.
        var redis = (await ConnectionMultiplexer.ConnectAsync(TestStack.Redis)).GetDatabase();
        await redis.StreamAddAsync(fixture.Stream, [new("documentId", id.ToString()), new("collectionId", collection.ToString()), new("version", 1)]);
        await Task.Delay(1500);
        Assert.Equal((total, total), await fixture.StoredChunksAsync(collection, id));

        using var reindex = await alice.PostAsync($"/api/collections/{collection}/documents/{id}/reindex", null);
        Assert.Equal(HttpStatusCode.Accepted, reindex.StatusCode);
        var again = await WaitSettledAsync(alice, collection, id);
        Assert.Equal("COMPLETE", again.Status);
        Assert.Equal(2, again.Version);
        Assert.Equal((total, total), await fixture.StoredChunksAsync(collection, id));
    }

    [Fact]
    public async Task A_worker_killed_mid_document_is_resumed_by_another_with_no_missing_or_duplicate_chunk()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "Crash", chunkSize: 64, overlap: 0);
        var id = (await UploadAsync(alice, collection, ("big.txt", SampleDocuments.Long(4000))))[0].Id;

        // Kill the worker once some, but not all, chunks are stored.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var doc = (await alice.GetFromJsonAsync<DocumentStatus>($"/api/collections/{collection}/documents/{id}"))!;
            if (doc.ChunksDone > 0 && doc.ChunksDone < doc.ChunksTotal)
            {
                break;
            }
            Assert.NotEqual("COMPLETE", doc.Status);
            Assert.True(DateTime.UtcNow < until, "ingestion never started");
            await Task.Delay(10);
        }
        fixture.Ingestion.Kill();
        var (partial, _) = await fixture.StoredChunksAsync(collection, id);

        fixture.ReplaceIngestion(await fixture.StartIngestionAsync());
        var settled = await WaitSettledAsync(alice, collection, id, TimeSpan.FromSeconds(120));

        Assert.Equal("COMPLETE", settled.Status);
        var total = settled.ChunksTotal;
        Assert.True(partial > 0 && partial < total, $"the kill should land mid-document ({partial} of {total} stored)");
        Assert.Equal((total, total), await fixture.StoredChunksAsync(collection, id));
    }

    [Fact]
    public async Task A_deleted_document_leaves_search_at_once()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "Deleting");
        var id = (await UploadAsync(alice, collection, ("gone.txt", SampleDocuments.Text("Narwhals have a long spiral tusk."))))[0].Id;
        await WaitSettledAsync(alice, collection, id);
        Assert.Single((await SearchAsync(alice, collection, "narwhal tusk", "fulltext")).Results);

        using var deleted = await alice.DeleteAsync($"/api/collections/{collection}/documents/{id}");
        using var again = await alice.DeleteAsync($"/api/collections/{collection}/documents/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Empty((await SearchAsync(alice, collection, "narwhal tusk", "hybrid")).Results);
        Assert.Equal((0L, 0L), await fixture.StoredChunksAsync(collection, id));
    }
}
