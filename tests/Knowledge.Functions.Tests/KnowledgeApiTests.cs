using System.Net;
using System.Net.Http.Json;
using System.Text;
using Fathom.Testing;
using static Knowledge.Functions.Tests.KnowledgeFixture;

namespace Knowledge.Functions.Tests;

[Collection(KnowledgeCollection.Name)]
public sealed class KnowledgeApiTests(KnowledgeFixture fixture)
{
    [Fact]
    public async Task A_read_only_api_key_can_search_and_ask_but_cannot_change_anything()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "For the assistant");
        var id = (await UploadAsync(alice, collection, ("tides.txt", SampleDocuments.Text("Tides follow the moon's pull on the oceans."))))[0].Id;
        await WaitSettledAsync(alice, collection, id);
        using var assistant = new HttpClient { BaseAddress = fixture.Knowledge.Client.BaseAddress };
        assistant.DefaultRequestHeaders.Authorization = new("Bearer", await TestIdentity.CreateApiKeyAsync(fixture.Database.Source, fixture.Alice, "read"));

        using var search = await assistant.PostAsJsonAsync($"/api/collections/{collection}/search", new { query = "moon tides" });
        using var searchAll = await assistant.PostAsJsonAsync("/api/search", new { collectionIds = new[] { collection }, query = "moon tides" });
        using var ask = await assistant.PostAsJsonAsync($"/api/collections/{collection}/ask", new { question = "What do tides follow?" });
        using var list = await assistant.GetAsync($"/api/collections/{collection}/documents");
        using var upload = await PostFilesAsync(assistant, collection, ("more.txt", SampleDocuments.Text("Not allowed.")));
        using var rename = await assistant.PatchAsJsonAsync($"/api/collections/{collection}", new { name = "renamed" });
        using var delete = await assistant.DeleteAsync($"/api/collections/{collection}/documents/{id}");

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Contains("Tides", await search.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, searchAll.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.All(new[] { upload, rename, delete }, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Contains("'write' to change data", (await upload.ReadAsync<Problem>(HttpStatusCode.Forbidden)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_users_collection_documents_chunks_search_and_ask_are_all_not_found()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var bob = fixture.ClientFor(fixture.Bob);
        var collection = await CreateCollectionAsync(alice, "Alice's secrets");
        var id = (await UploadAsync(alice, collection, ("secret.txt", SampleDocuments.Text("The vault code is hidden under the oak tree."))))[0].Id;
        await WaitSettledAsync(alice, collection, id);
        var chunkId = (await SearchAsync(alice, collection, "vault code", "fulltext")).Results[0].ChunkId;

        var attempts = new List<HttpResponseMessage>
        {
            await bob.GetAsync($"/api/collections/{collection}"),
            await bob.PatchAsJsonAsync($"/api/collections/{collection}", new { name = "mine" }),
            await bob.GetAsync($"/api/collections/{collection}/documents"),
            await bob.GetAsync($"/api/collections/{collection}/documents/{id}"),
            await bob.GetAsync($"/api/collections/{collection}/chunks/{chunkId}"),
            await bob.PostAsJsonAsync($"/api/collections/{collection}/search", new { query = "vault code" }),
            await bob.PostAsJsonAsync("/api/search", new { collectionIds = new[] { collection }, query = "vault code" }),
            await bob.PostAsJsonAsync($"/api/collections/{collection}/ask", new { question = "Where is the vault code?" }),
            await PostFilesAsync(bob, collection, ("x.txt", SampleDocuments.Text("intruder"))),
            await bob.PostAsync($"/api/collections/{collection}/documents/{id}/reindex", null),
            await bob.DeleteAsync($"/api/collections/{collection}/documents/{id}"),
            await bob.DeleteAsync($"/api/collections/{collection}"),
        };

        Assert.All(attempts, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        var bobs = await bob.GetFromJsonAsync<ListPage<CollectionInfo>>("/api/collections");
        Assert.DoesNotContain(bobs!.Items, c => c.Id == collection);
        Assert.Equal("COMPLETE", (await alice.GetFromJsonAsync<DocumentStatus>($"/api/collections/{collection}/documents/{id}"))!.Status);
        attempts.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Ask_answers_with_citations_that_point_at_the_right_document_and_page()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "Ask");
        var docs = await UploadAsync(alice, collection,
            ("boats.pdf", SampleDocuments.Pdf("Sailing basics for beginners.", "A keel keeps a sailboat from capsizing in strong wind.")),
            ("bread.txt", SampleDocuments.Text("Bread rises because yeast produces carbon dioxide.")));
        foreach (var doc in docs)
        {
            await WaitSettledAsync(alice, collection, doc.Id);
        }

        using var response = await alice.PostAsJsonAsync($"/api/collections/{collection}/ask", new { question = "What keeps a sailboat from capsizing?" });
        var answer = await response.ReadAsync<AskAnswer>();

        Assert.Equal("extractive", answer.Kind);
        Assert.Contains("keel", answer.Answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("[1]", answer.Answer, StringComparison.Ordinal);
        var first = answer.Citations[0];
        Assert.Equal(1, first.N);
        Assert.Equal("boats.pdf", first.DocumentName);
        Assert.Equal(2, first.Page);

        var chunk = await alice.GetFromJsonAsync<Chunk>($"/api/collections/{collection}/chunks/{first.ChunkId}");
        Assert.Contains("keel", chunk!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_streams_citations_tokens_and_done_as_server_sent_events()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CreateCollectionAsync(alice, "Stream");
        var id = (await UploadAsync(alice, collection, ("owls.txt", SampleDocuments.Text("Owls hunt at night using silent flight and sharp hearing."))))[0].Id;
        await WaitSettledAsync(alice, collection, id);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/collections/{collection}/ask") { Content = JsonContent.Create(new { question = "How do owls hunt?", stream = true }) };
        using var response = await alice.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')[0]).ToList();
        Assert.Equal("event: citations", events[0]);
        Assert.Contains("event: token", events);
        Assert.Equal("event: done", events[^1]);
        Assert.Contains("owls.txt", body, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"extractive\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collections_validate_settings_and_keep_them_fixed()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var bad = await alice.PostAsJsonAsync("/api/collections", new { name = "", settings = new { chunkSize = 10, chunkOverlap = 500, embedding = new { provider = "magic" } } });
        var problem = await bad.ReadAsync<Problem>(HttpStatusCode.BadRequest);

        Assert.NotEmpty(problem.ErrorsOf("name"));
        Assert.NotEmpty(problem.ErrorsOf("settings.chunkSize"));
        Assert.NotEmpty(problem.ErrorsOf("settings.chunkOverlap"));
        // The vector index holds at most 2,000 dimensions: a collection that could never be indexed is refused up front.
        using var tooWide = await alice.PostAsJsonAsync("/api/collections", new { name = "Wide", settings = new { embedding = new { provider = "hashed", dimension = 3072 } } });
        Assert.Equal(HttpStatusCode.BadRequest, tooWide.StatusCode);
        Assert.Contains("2000", (await tooWide.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        var id = await CreateCollectionAsync(alice, "Settings", chunkSize: 300, overlap: 30);
        using var patched = await alice.PatchAsJsonAsync($"/api/collections/{id}", new { name = "Renamed", settings = new { chunkSize = 999 } });
        var collection = await patched.ReadAsync<CollectionInfo>();
        Assert.Equal("Renamed", collection.Name);
        Assert.Equal(300, collection.Settings.ChunkSize);
        Assert.Equal("hashed", collection.Settings.Embedding.Provider);
        Assert.Equal(384, collection.Settings.Embedding.Dimension);
    }

    [Fact]
    public async Task Bm25_parameters_default_to_anserinis_are_validated_and_change_full_text_scores()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var bad = await alice.PostAsJsonAsync("/api/collections", new { name = "Ranking", settings = new { bm25 = new { k1 = 5.0, b = -0.1 } } });
        var problem = await bad.ReadAsync<Problem>(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsOf("settings.bm25.k1"));
        Assert.NotEmpty(problem.ErrorsOf("settings.bm25.b"));

        var id = await CreateCollectionAsync(alice, "Ranking");
        var created = await alice.GetFromJsonAsync<CollectionInfo>($"/api/collections/{id}");
        Assert.Equal(new Bm25(0.9, 0.4), created!.Settings.Bm25);
        var docs = await UploadAsync(alice, id,
            ("short.txt", SampleDocuments.Text("Otters hold hands while they sleep.")),
            ("long.txt", SampleDocuments.Text("Otters are playful. Sea otters float on kelp, groom their fur for hours and use rocks as tools to open shellfish.")));
        foreach (var doc in docs)
        {
            await WaitSettledAsync(alice, id, doc.Id);
        }
        var before = await SearchAsync(alice, id, "otters", "fulltext");

        using var rejected = await alice.PatchAsJsonAsync($"/api/collections/{id}", new { settings = new { bm25 = new { b = 2 } } });
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        using var patched = await alice.PatchAsJsonAsync($"/api/collections/{id}", new { settings = new { bm25 = new { b = 0.0 } } });
        Assert.Equal(new Bm25(0.9, 0.0), (await patched.ReadAsync<CollectionInfo>()).Settings.Bm25);
        var after = await SearchAsync(alice, id, "otters", "fulltext");

        // With b = 0 length no longer matters: the short chunk loses its bonus for brevity; two mentions still beat one.
        Assert.True(before.ScoreOf("short.txt") > after.ScoreOf("short.txt"));
        Assert.True(after.ScoreOf("long.txt") > after.ScoreOf("short.txt"));
    }

    [Fact]
    public async Task Hybrid_search_fuses_by_the_method_asked_for_and_refuses_an_unknown_one()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var id = await CreateCollectionAsync(alice, "Fusion");
        var docs = await UploadAsync(alice, id,
            ("herons.txt", SampleDocuments.Text("Grey herons stand still in shallow water at dawn, waiting for fish.")),
            ("kelp.txt", SampleDocuments.Text("Kelp forests shelter sea otters and many kinds of fish.")));
        foreach (var doc in docs)
        {
            await WaitSettledAsync(alice, id, doc.Id);
        }
        async Task<SearchResults> Search(object body)
        {
            using var response = await alice.PostAsJsonAsync($"/api/collections/{id}/search", body);
            return await response.ReadAsync<SearchResults>();
        }

        var relative = await Search(new { query = "herons at dawn", mode = "hybrid" });
        var rrf = await Search(new { query = "herons at dawn", mode = "hybrid", fusion = "rrf", rrfK = 60 });

        // Relative fusion gives the chunk best in both rankings 1; reciprocal ranks sum to at most 2 / (k + 1).
        Assert.Equal("herons.txt", relative.Results[0].DocumentName);
        Assert.Equal("herons.txt", rrf.Results[0].DocumentName);
        Assert.True(relative.Results[0].Score > 0.5, $"relative top score {relative.Results[0].Score}");
        // (The API rounds scores to six places.)
        Assert.InRange(rrf.Results[0].Score, 1.0 / 61 - 1e-6, 2.0 / 61 + 1e-6);

        using var unknown = await alice.PostAsJsonAsync($"/api/collections/{id}/search", new { query = "herons", fusion = "average" });
        Assert.NotEmpty((await unknown.ReadAsync<Problem>(HttpStatusCode.BadRequest)).ErrorsOf("fusion"));
    }

    [Fact]
    public async Task Search_rejects_bad_requests_with_field_errors()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var id = await CreateCollectionAsync(alice, "Validation");

        using var response = await alice.PostAsJsonAsync($"/api/collections/{id}/search", new { query = "", mode = "psychic", topK = 500, fullTextWeight = 1.5 });
        var problem = await response.ReadAsync<Problem>(HttpStatusCode.BadRequest);

        Assert.All(new[] { "query", "mode", "topK", "fullTextWeight" }, field => Assert.NotEmpty(problem.ErrorsOf(field)));
    }

    [Fact]
    public async Task Documents_list_filters_by_status_and_name_and_pages()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var id = await CreateCollectionAsync(alice, "Listing");
        var docs = await UploadAsync(alice, id,
            ("alpha-notes.txt", SampleDocuments.Text("alpha text")),
            ("beta-notes.txt", SampleDocuments.Text("beta text")),
            ("gamma.pdf", "not a pdf"u8.ToArray()));
        foreach (var doc in docs)
        {
            await WaitSettledAsync(alice, id, doc.Id);
        }

        var failed = (await alice.GetFromJsonAsync<ListPage<DocumentStatus>>($"/api/collections/{id}/documents?status=FAILED"))!;
        var named = (await alice.GetFromJsonAsync<ListPage<DocumentStatus>>($"/api/collections/{id}/documents?q=notes&pageSize=1&page=2"))!;
        var pastTheEnd = (await alice.GetFromJsonAsync<ListPage<DocumentStatus>>($"/api/collections/{id}/documents?q=notes&pageSize=1&page=9"))!;
        using var badStatus = await alice.GetAsync($"/api/collections/{id}/documents?status=LOST");

        Assert.Equal("gamma.pdf", Assert.Single(failed.Items).Name);
        Assert.Equal(2, named.Total);
        Assert.Single(named.Items);
        // A page past the end is empty but still knows how many there are, so a pager can go back.
        Assert.Empty(pastTheEnd.Items);
        Assert.Equal(2, pastTheEnd.Total);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
    }

    [Fact]
    public async Task One_query_searches_several_collections()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var first = await CreateCollectionAsync(alice, "Rivers");
        var second = await CreateCollectionAsync(alice, "Mountains");
        var a = (await UploadAsync(alice, first, ("amazon.txt", SampleDocuments.Text("The Amazon river carries more water than any other river."))))[0];
        var b = (await UploadAsync(alice, second, ("everest.txt", SampleDocuments.Text("Everest is the highest mountain above sea level, far above any river."))))[0];
        await WaitSettledAsync(alice, first, a.Id);
        await WaitSettledAsync(alice, second, b.Id);

        using var response = await alice.PostAsJsonAsync("/api/search", new { collectionIds = new[] { first, second }, query = "river", mode = "fulltext" });
        var results = (await response.ReadAsync<SearchResults>()).Results;

        Assert.Contains(results, r => r.DocumentName == "amazon.txt" && r.CollectionId == first);
        Assert.Contains(results, r => r.DocumentName == "everest.txt" && r.CollectionId == second);
    }

    [Fact]
    public async Task A_snippet_escapes_html_in_the_text_and_marks_the_matches()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var id = await CreateCollectionAsync(alice, "Escaping");
        var doc = (await UploadAsync(alice, id, ("code.md", Encoding.UTF8.GetBytes("Never trust `<script>steal()</script>` in comments about hedgehogs."))))[0];
        await WaitSettledAsync(alice, id, doc.Id);

        var snippet = (await SearchAsync(alice, id, "hedgehogs", "fulltext")).Results[0].Snippet;

        Assert.Contains("<mark>hedgehogs</mark>", snippet, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", snippet, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", snippet, StringComparison.Ordinal);
    }
}
