using Fathom.Data;
using Fathom.Knowledge.Stores.Operations;
using Fathom.Redis.Streams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pgvector.Npgsql;
using Npgsql;

namespace Fathom.Knowledge.Stores;

public static class KnowledgeStoreRegistration
{
    public static TBuilder AddKnowledgeStores<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddSystemDatabase();
        var efSearch = builder.Configuration.GetValue(ChunkStore.EfSearchSetting, ChunkStore.DefaultEfSearch);
        if (efSearch is < 1 or > 1000)
        {
            throw new InvalidOperationException($"{ChunkStore.EfSearchSetting} must be between 1 and 1000 (was {efSearch}).");
        }
        // The slim builder has no UseVector(); the resolver factory is what UseVector() adds.
#pragma warning disable NPG9001 // Npgsql's plugin API, the one pgvector itself uses.
        builder.AddVectorDatabase(source => source.AddTypeInfoResolverFactory(new VectorTypeInfoResolverFactory()));
#pragma warning restore NPG9001
        SetDefaultStream(builder.Configuration);
        builder.Services.AddSingleton<CollectionStore>();
        builder.Services.AddSingleton<DocumentStore>();
        builder.Services.AddSingleton(sp => new ChunkStore(sp.GetRequiredService<VectorDatabase>()) { EfSearch = efSearch });
        builder.Services.AddSingleton<IngestQueue>();
        builder.Services.AddSingleton<DocumentIntake>();
        builder.Services.AddSingleton<CollectionEmbedders>();
        builder.Services.AddSingleton<ChunkSearch>();
        builder.Services.AddSingleton<OperationsFigures>();
        // The dead-letter suffix the stream trigger writes with (host.json extensions.redisStreams).
        builder.Services.AddOptions<RedisStreamOptions>().BindConfiguration(RedisStreamOptions.Section);
        builder.Services.AddSingleton<DeadLetters>();
        builder.Services.AddSingleton<IngestBacklog>();
        return builder;
    }

    /// <summary>For apps that only hand documents to ingestion (Posts): collections, documents, the queue and intake, no vector store.</summary>
    public static TBuilder AddKnowledgeIngestQueue<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        SetDefaultStream(builder.Configuration);
        builder.Services.AddSingleton<CollectionStore>();
        builder.Services.AddSingleton<DocumentStore>();
        builder.Services.AddSingleton<IngestQueue>();
        builder.Services.AddSingleton<DocumentIntake>();
        return builder;
    }

    /// <summary>
    /// The ingest stream's name when no setting gives one: a source inserted first, below host.json, local.settings.json
    /// and the environment (what the host's <c>SetDefault</c> does), so the trigger's <c>%IngestStream%</c> resolves.
    /// </summary>
    private static void SetDefaultStream(IConfigurationManager configuration)
        => configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = [new(IngestQueue.StreamSetting, IngestQueue.DefaultStream)] });
}
