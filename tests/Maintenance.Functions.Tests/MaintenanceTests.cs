using Fathom.Testing;
using Npgsql;
using StackExchange.Redis;

namespace Maintenance.Functions.Tests;

public sealed class MaintenanceTests : IAsyncLifetime
{
    private readonly string _stream = $"test:ingest:{Guid.NewGuid():N}";
    private TestDatabase _database = null!;
    private IDatabase _redis = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _redis = (await ConnectionMultiplexer.ConnectAsync(TestStack.Redis)).GetDatabase();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private Task<FunctionAppProcess> StartAsync(string function) => FunctionAppProcess.StartAsync("Maintenance", new Dictionary<string, string>
    {
        ["PostgresConnection"] = _database.ConnectionString,
        ["RedisConnection"] = TestStack.Redis,
        ["VectorStoreConnection"] = TestStack.VectorStore,
        ["IngestStream"] = _stream,
        ["FunctionsHost__Id"] = $"maintenance-{Guid.NewGuid():N}",
        ["AzureFunctionsJobHost__functions__0"] = function,
        ["Maintenance__RequeueSchedule"] = "*/1 * * * * *",
        ["Maintenance__PurgeSchedule"] = "*/1 * * * * *",
        ["Maintenance__TrimSchedule"] = "*/1 * * * * *",
        ["Maintenance__StuckAfter"] = "00:00:01",
        ["Maintenance__PurgeAfter"] = "00:00:01",
    });

    private async Task<(Guid Collection, Guid Document)> InsertDocumentAsync(string status, string? deletedAgo = null)
    {
        var owner = await TestIdentity.CreateUserAsync(_database.Source);
        var collection = Guid.NewGuid();
        var document = Guid.NewGuid();
        var deleted = deletedAgo is null ? "NULL" : $"now() - interval '{deletedAgo}'";
        await ExecuteAsync("INSERT INTO collections (id, owner_id, name, chunk_size, chunk_overlap, embedding_provider, embedding_model, embedding_dimension) VALUES ($1, $2, 'c', 200, 20, 'hashed', 'fathom-hashed-v1', 384)", collection, owner);
        await ExecuteAsync($"INSERT INTO documents (id, collection_id, owner_id, name, content_type, size, content_hash, status, updated_at, deleted_at) VALUES ($1, $2, $3, 'd.txt', 'text/plain', 4, $4, $5, now() - interval '1 hour', {deleted})",
            document, collection, owner, Guid.NewGuid().ToByteArray(), status);
        await ExecuteAsync("INSERT INTO document_contents (document_id, content) VALUES ($1, 'text'::bytea)", document);
        return (collection, document);
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Timed out waiting for: {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_document_stuck_in_running_is_queued_again_and_a_complete_one_is_not()
    {
        var (_, stuck) = await InsertDocumentAsync("RUNNING");
        var (_, complete) = await InsertDocumentAsync("COMPLETE");
        await using var app = await StartAsync("RequeueStuckDocuments");

        await Eventually(async () => (await _redis.StreamRangeAsync(_stream)).Any(e => e["documentId"] == stuck.ToString()), "a new ingest entry for the stuck document");

        Assert.DoesNotContain(await _redis.StreamRangeAsync(_stream), e => e["documentId"] == complete.ToString());
    }

    [Fact]
    public async Task Deleted_documents_are_purged_after_the_grace_period_and_live_ones_stay()
    {
        var (_, deleted) = await InsertDocumentAsync("COMPLETE", deletedAgo: "2 hours");
        var (_, live) = await InsertDocumentAsync("COMPLETE");
        await using var app = await StartAsync("PurgeDeletedData");

        await Eventually(async () => !await ExistsAsync(deleted), "the deleted document's row to go");

        Assert.True(await ExistsAsync(live));
    }

    [Fact]
    public async Task Trimming_removes_handled_entries_but_never_a_pending_one()
    {
        for (var i = 0; i < 5; i++)
        {
            await _redis.StreamAddAsync(_stream, "n", i);
        }
        await _redis.StreamCreateConsumerGroupAsync(_stream, "ingestion", "0-0");
        var read = await _redis.StreamReadGroupAsync(_stream, "ingestion", "test", ">", 5);
        await _redis.StreamAcknowledgeAsync(_stream, "ingestion", [read[0].Id, read[1].Id]);
        await using var app = await StartAsync("TrimStreams");

        await Eventually(async () => await _redis.StreamLengthAsync(_stream) == 3, "handled entries trimmed");

        var left = await _redis.StreamRangeAsync(_stream);
        Assert.Equal(read[2].Id, left[0].Id);
        Assert.Equal(3, (await _redis.StreamPendingAsync(_stream, "ingestion")).PendingMessageCount);
    }

    private async Task ExecuteAsync(string sql, params object[] values)
    {
        await using var command = _database.Source.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        await command.ExecuteNonQueryAsync();
    }

    private async Task<bool> ExistsAsync(Guid document)
    {
        await using var command = _database.Source.CreateCommand("SELECT count(*) FROM documents WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = document });
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }
}
