using System.Text;
using Fathom.Data;
using Fathom.Knowledge.Embeddings;
using Fathom.Redis;
using Fathom.Testing;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Fathom.Knowledge.Stores.Tests;

/// <summary>DocumentIntake on the stack's PostgreSQL and Redis: what a sender of the same bytes twice gets, and what is queued.</summary>
public sealed class DocumentIntakeTests : IAsyncLifetime
{
    private readonly string _stream = $"test:ingest:{Guid.NewGuid():N}";
    private TestDatabase _database = null!;
    private RedisConnections _redis = null!;
    private DocumentStore _documents = null!;
    private DocumentIntake _intake = null!;
    private Guid _owner;
    private Guid _collection;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [RedisConnections.DefaultSetting] = TestStack.Redis,
            [IngestQueue.StreamSetting] = _stream,
        }).Build();
        _redis = new RedisConnections(configuration);
        var system = new SystemDatabase(_database.Source);
        _documents = new DocumentStore(system);
        _intake = new DocumentIntake(_documents, new IngestQueue(_redis, configuration));
        _owner = await TestIdentity.CreateUserAsync(_database.Source);
        var embedding = new EmbeddingSettings("hashed", HashedNgramEmbeddingGenerator.ModelId, HashedNgramEmbeddingGenerator.DefaultDimension);
        _collection = (await new CollectionStore(system).CreateAsync(_owner, "Intake", "", new CollectionSettings(400, 50, embedding, Bm25Settings.Default), default)).Id;
    }

    public async Task DisposeAsync()
    {
        await (await _redis.GetAsync()).GetDatabase().KeyDeleteAsync(_stream);
        await _redis.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task The_same_bytes_twice_are_one_document_and_one_queue_entry()
    {
        var content = Encoding.UTF8.GetBytes("# Otters\n\nThey hold hands while sleeping.\n");

        var (first, firstDuplicate) = await _intake.AddAsync(_owner, _collection, "otters.md", "text/markdown", content, default);
        // Ingestion has taken it: the document is no longer PENDING when the same bytes come again, under another name.
        Assert.NotNull(await _documents.ClaimAsync(first.Id, first.Version, default));
        var (second, secondDuplicate) = await _intake.AddAsync(_owner, _collection, "otters-again.md", "text/markdown", content, default);

        Assert.False(firstDuplicate);
        Assert.True(secondDuplicate);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal([new IngestMessage(first.Id, _collection, first.Version)], await QueuedAsync());
    }

    [Fact]
    public async Task A_duplicate_still_pending_is_queued_again()
    {
        // As when the first upload stored the document but could not queue it, and the caller sent it again.
        var content = Encoding.UTF8.GetBytes("Badgers dig setts.");

        var (first, _) = await _intake.AddAsync(_owner, _collection, "badgers.txt", "text/plain", content, default);
        var (again, duplicate) = await _intake.AddAsync(_owner, _collection, "badgers.txt", "text/plain", content, default);

        Assert.True(duplicate);
        Assert.Equal(DocumentStatus.Pending, again.Status);
        var message = new IngestMessage(first.Id, _collection, first.Version);
        Assert.Equal([message, message], await QueuedAsync());
    }

    private async Task<List<IngestMessage?>> QueuedAsync()
        => (await (await _redis.GetAsync()).GetDatabase().StreamRangeAsync(_stream)).Select(IngestMessage.Parse).ToList();
}
