using System.Net;
using System.Net.Http.Json;
using Fathom.Testing;
using Npgsql;

namespace Knowledge.Functions.Tests;

/// <summary>Knowledge, Ingestion and Assistants apps on a fresh database and their own ingest stream, with two users.</summary>
public sealed class KnowledgeFixture : AppFixture
{
    public string Stream { get; } = $"test:ingest:{Guid.NewGuid():N}";

    public FunctionAppProcess Knowledge { get; private set; } = null!;

    public FunctionAppProcess Ingestion { get; private set; } = null!;

    /// <summary>The OpenAI-compatible API and MCP, over the same database and vector store.</summary>
    public FunctionAppProcess Assistants { get; private set; } = null!;

    public Dictionary<string, string> Settings { get; private set; } = [];

    /// <summary>The vector store, read directly to check what ingestion wrote.</summary>
    public NpgsqlDataSource VectorStore { get; } = NpgsqlDataSource.Create(TestStack.VectorStore);

    protected override IEnumerable<FunctionAppProcess> Apps => [Knowledge, Ingestion, Assistants];

    protected override async Task StartAppsAsync()
    {
        Settings = BaseSettings();
        Settings["VectorStoreConnection"] = TestStack.VectorStore;
        Settings["IngestStream"] = Stream;
        Settings["Knowledge__MaxUploadBytes"] = "2000000";
        // Small enough that tests can reach them with small files.
        Settings["Ingestion__MaxExpandedBytes"] = "4194304";
        Settings["Ingestion__MaxChunksPerDocument"] = "3000";
        Settings["AzureFunctionsJobHost__extensions__redisStreams__visibilityTimeout"] = "00:00:01";
        Settings["AzureFunctionsJobHost__extensions__redisStreams__pollingInterval"] = "00:00:00.050";
        foreach (var (key, value) in TestStack.GenerousRateLimits())
        {
            Settings[key] = value;
        }
        Knowledge = await FunctionAppProcess.StartAsync("Knowledge", Settings);
        Ingestion = await StartIngestionAsync();
        Assistants = await FunctionAppProcess.StartAsync("Assistants", Settings);
    }

    public Task<FunctionAppProcess> StartIngestionAsync() => FunctionAppProcess.StartAsync("Ingestion", Settings);

    public void ReplaceIngestion(FunctionAppProcess ingestion) => Ingestion = ingestion;

    public HttpClient ClientFor(Guid user) => ClientFor(Knowledge, user);

    public static async Task<Guid> CreateCollectionAsync(HttpClient client, string name = "Docs", int chunkSize = 200, int overlap = 20)
    {
        using var response = await client.PostAsJsonAsync("/api/collections", new { name, settings = new { chunkSize, chunkOverlap = overlap } });
        return (await response.ReadAsync<CollectionInfo>(HttpStatusCode.Created)).Id;
    }

    public static async Task<IReadOnlyList<UploadedDocument>> UploadAsync(HttpClient client, Guid collection, params (string Name, byte[] Content)[] files)
    {
        using var response = await PostFilesAsync(client, collection, files);
        return (await response.ReadAsync<Upload>(HttpStatusCode.Accepted)).Documents;
    }

    public static async Task<HttpResponseMessage> PostFilesAsync(HttpClient client, Guid collection, params (string Name, byte[] Content)[] files)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            form.Add(new ByteArrayContent(content), "files", name);
        }
        return await client.PostAsync($"/api/collections/{collection}/documents", form);
    }

    /// <summary>A hand-written body with the content type given, for what HttpClient would not send on its own.</summary>
    public static Task<HttpResponseMessage> PostRawAsync(HttpClient client, Guid collection, string contentType, string body)
    {
        var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return client.PostAsync($"/api/collections/{collection}/documents", content);
    }

    /// <summary>Polls the status endpoint until the document leaves PENDING/RUNNING.</summary>
    public static async Task<DocumentStatus> WaitSettledAsync(HttpClient client, Guid collection, Guid document, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var doc = (await client.GetFromJsonAsync<DocumentStatus>($"/api/collections/{collection}/documents/{document}"))!;
            if (doc.Status is "COMPLETE" or "FAILED")
            {
                return doc;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Document {document} still {doc.Status}.");
            }
            await Task.Delay(100);
        }
    }

    public static async Task<SearchResults> SearchAsync(HttpClient client, Guid collection, string query, string mode, int topK = 10)
    {
        using var response = await client.PostAsJsonAsync($"/api/collections/{collection}/search", new { query, mode, topK });
        return await response.ReadAsync<SearchResults>();
    }

    /// <summary>Rows in the vector store for a document (all versions).</summary>
    public async Task<(long Rows, long Positions)> StoredChunksAsync(Guid collection, Guid document)
    {
        await using var command = VectorStore.CreateCommand($"SELECT count(*), count(DISTINCT position) FROM chunks_{collection:N} WHERE document_id = $1");
        command.Parameters.Add(new() { Value = document });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await VectorStore.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class KnowledgeCollection : ICollectionFixture<KnowledgeFixture>
{
    public const string Name = "knowledge";
}
