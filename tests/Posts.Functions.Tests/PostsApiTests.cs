using System.Net;
using System.Net.Http.Json;
using Fathom.Testing;

namespace Posts.Functions.Tests;

public sealed class PostsApiTests(PostsAppFixture fixture) : IClassFixture<PostsAppFixture>
{
    private static Guid Id(Post post) => post.Id;

    private static IEnumerable<Guid> Ids(ListPage<Post>? page) => page!.Items.Select(Id);

    [Fact]
    public async Task The_author_creates_reads_edits_and_deletes_a_post()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var created = await alice.PostAsJsonAsync("/api/posts", new { title = "Hello", body = "First words.", published = true });
        var post = await created.ReadAsync<Post>(HttpStatusCode.Created);
        var id = post.Id;
        Assert.Equal($"/api/posts/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(fixture.Alice, post.AuthorId);

        using var patch = await alice.PatchAsJsonAsync($"/api/posts/{id}", new { title = "Hello again" });
        var updated = await patch.ReadAsync<Post>();
        Assert.Equal(("Hello again", "First words.", true), (updated.Title, updated.Body, updated.Published));
        Assert.True(updated.UpdatedAt >= post.UpdatedAt);

        using var delete = await alice.DeleteAsync($"/api/posts/{id}");
        using var gone = await alice.GetAsync($"/api/posts/{id}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Drafts_are_invisible_to_everyone_but_their_author()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var bob = fixture.ClientFor(fixture.Bob);
        var word = PostsAppFixture.UniqueWord();
        var draft = Id(await PostsAppFixture.CreateAsync(alice, $"Secret {word}", "not ready", published: false));

        using var read = await bob.GetAsync($"/api/posts/{draft}");
        using var edit = await bob.PatchAsJsonAsync($"/api/posts/{draft}", new { title = "mine" });
        using var delete = await bob.DeleteAsync($"/api/posts/{draft}");
        var bobsList = await bob.GetFromJsonAsync<ListPage<Post>>("/api/posts?pageSize=100");
        var bobsSearch = await bob.GetFromJsonAsync<ListPage<Post>>($"/api/posts?q={word}");
        var alicesSearch = await alice.GetFromJsonAsync<ListPage<Post>>($"/api/posts?q={word}");

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, edit.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.DoesNotContain(draft, Ids(bobsList));
        Assert.Equal(0, bobsSearch!.Total);
        Assert.Equal([draft], Ids(alicesSearch));

        using var publish = await alice.PatchAsJsonAsync($"/api/posts/{draft}", new { published = true });
        using var nowVisible = await bob.GetAsync($"/api/posts/{draft}");
        Assert.Equal(HttpStatusCode.OK, nowVisible.StatusCode);
    }

    [Fact]
    public async Task Others_may_read_a_published_post_but_not_edit_or_delete_it()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var bob = fixture.ClientFor(fixture.Bob);
        var id = Id(await PostsAppFixture.CreateAsync(alice, "Alice's view", "Mine to change.", published: true));

        using var read = await bob.GetAsync($"/api/posts/{id}");
        using var edit = await bob.PatchAsJsonAsync($"/api/posts/{id}", new { title = "Bob was here" });
        using var delete = await bob.DeleteAsync($"/api/posts/{id}");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, edit.StatusCode);
        Assert.Equal("application/problem+json", edit.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        var still = await alice.GetFromJsonAsync<Post>($"/api/posts/{id}");
        Assert.Equal("Alice's view", still!.Title);
    }

    [Fact]
    public async Task Search_finds_posts_by_their_words_best_match_first()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var bob = fixture.ClientFor(fixture.Bob);
        var word = PostsAppFixture.UniqueWord();
        var inBody = Id(await PostsAppFixture.CreateAsync(alice, "Weekly notes", $"Some thoughts on {word} and scaling clusters.", published: true));
        var inTitle = Id(await PostsAppFixture.CreateAsync(alice, $"Scaling {word} to zero", "How the autoscaler works.", published: true));
        var unrelated = Id(await PostsAppFixture.CreateAsync(alice, "Gardening", "Tomatoes need sun.", published: true));

        var both = await bob.GetFromJsonAsync<ListPage<Post>>($"/api/posts?q={word}");
        var stemmed = await bob.GetFromJsonAsync<ListPage<Post>>($"/api/posts?q={word}+scaled");
        var excluded = await bob.GetFromJsonAsync<ListPage<Post>>($"/api/posts?q={word}+-autoscaler");
        var phrase = await bob.GetFromJsonAsync<ListPage<Post>>($"/api/posts?q=%22scaling+{word}%22");

        Assert.Equal([inTitle, inBody], Ids(both));
        Assert.DoesNotContain(unrelated, Ids(both));
        Assert.Equal([inTitle, inBody], Ids(stemmed));
        Assert.Equal([inBody], Ids(excluded));
        Assert.Equal([inTitle], Ids(phrase));
    }

    [Fact]
    public async Task Lists_page_and_sort_by_date_or_title()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var word = PostsAppFixture.UniqueWord();
        var titles = new[] { "delta", "Alpha", "echo", "Charlie", "bravo" };
        var ids = new List<Guid>();
        foreach (var title in titles)
        {
            ids.Add(Id(await PostsAppFixture.CreateAsync(alice, title, $"about {word}", published: true)));
        }

        var newestSecondPage = await alice.GetFromJsonAsync<ListPage<Post>>($"/api/posts?q={word}&sort=-createdAt&page=2&pageSize=2");
        var oldest = await alice.GetFromJsonAsync<ListPage<Post>>($"/api/posts?q={word}&sort=createdAt&pageSize=10");
        var byTitle = await alice.GetFromJsonAsync<ListPage<Post>>($"/api/posts?q={word}&sort=title&pageSize=10");
        var pastTheEnd = await alice.GetFromJsonAsync<ListPage<Post>>($"/api/posts?q={word}&page=9&pageSize=2");

        Assert.Equal(5, newestSecondPage!.Total);
        Assert.Equal([ids[2], ids[1]], Ids(newestSecondPage));
        Assert.Equal(ids, Ids(oldest));
        Assert.Equal(["Alpha", "bravo", "Charlie", "delta", "echo"], byTitle!.Items.Select(p => p.Title));
        Assert.Empty(pastTheEnd!.Items);
        Assert.Equal(5, pastTheEnd.Total);
    }

    [Fact]
    public async Task Bad_sort_long_queries_and_empty_titles_are_refused()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var sort = await alice.GetAsync("/api/posts?sort=author");
        using var query = await alice.GetAsync($"/api/posts?q={new string('a', 201)}");
        using var title = await alice.PostAsJsonAsync("/api/posts", new { title = " ", body = "x", published = true });

        Assert.Equal(HttpStatusCode.BadRequest, sort.StatusCode);
        Assert.Contains("-createdAt", (await sort.ReadAsync<Problem>(HttpStatusCode.BadRequest)).ErrorsOf("sort")[0], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, query.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, title.StatusCode);
    }
}
