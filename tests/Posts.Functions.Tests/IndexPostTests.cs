using System.Net;
using System.Net.Http.Json;
using Fathom.Testing;
using StackExchange.Redis;

namespace Posts.Functions.Tests;

public sealed class IndexPostTests(PostsAppFixture fixture) : IClassFixture<PostsAppFixture>
{
    private async Task<Guid> CollectionOfAsync(Guid owner)
    {
        var id = Guid.NewGuid();
        await using var command = fixture.Database.Source.CreateCommand("""
            INSERT INTO collections (id, owner_id, name, chunk_size, chunk_overlap, embedding_provider, embedding_model, embedding_dimension)
            VALUES ($1, $2, 'Blog', 400, 50, 'hashed', 'fathom-hashed-v1', 384)
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = owner });
        await command.ExecuteNonQueryAsync();
        return id;
    }

    [Fact]
    public async Task The_author_indexes_a_post_into_a_collection_through_the_ingestion_queue()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        var collection = await CollectionOfAsync(fixture.Alice);
        var post = await PostsAppFixture.CreateAsync(alice, "Kayak rolls", "Hip snap first, then the head.", true);
        var postId = post.Id;

        using var first = await alice.PostAsJsonAsync($"/api/posts/{postId}/index", new { collectionId = collection });
        using var again = await alice.PostAsJsonAsync($"/api/posts/{postId}/index", new { collectionId = collection });
        var indexed = await first.ReadAsync<IndexedPost>(HttpStatusCode.Accepted);
        var repeated = await again.ReadAsync<IndexedPost>(HttpStatusCode.Accepted);

        Assert.Equal("PENDING", indexed.Status);
        Assert.True(repeated.Duplicate);
        Assert.Equal(indexed.DocumentId, repeated.DocumentId);
        // No ingestion runs here, so the document is still PENDING the second time and is queued again, as an
        // upload's would be (its first entry may never have been written).
        var redis = (await ConnectionMultiplexer.ConnectAsync(TestStack.Redis)).GetDatabase();
        var entries = await redis.StreamRangeAsync(fixture.IngestStream);
        Assert.Equal(2, entries.Count(e => e["documentId"] == indexed.DocumentId.ToString()));
    }

    [Fact]
    public async Task Nobody_indexes_another_users_post_or_into_another_users_collection()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var bob = fixture.ClientFor(fixture.Bob);
        var bobsCollection = await CollectionOfAsync(fixture.Bob);
        var post = await PostsAppFixture.CreateAsync(alice, "Mine", "Public words.", true);
        var postId = post.Id;

        using var notAuthor = await bob.PostAsJsonAsync($"/api/posts/{postId}/index", new { collectionId = bobsCollection });
        using var notOwner = await alice.PostAsJsonAsync($"/api/posts/{postId}/index", new { collectionId = bobsCollection });
        using var missing = await alice.PostAsJsonAsync($"/api/posts/{postId}/index", new { });

        Assert.Equal(HttpStatusCode.Forbidden, notAuthor.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notOwner.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }
}
