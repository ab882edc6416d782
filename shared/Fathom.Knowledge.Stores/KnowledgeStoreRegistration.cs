using Fathom.Data;
using Fathom.Functions;
using Fathom.Knowledge.Stores.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pgvector.Npgsql;
using Npgsql;

namespace Fathom.Knowledge.Stores;

public static class KnowledgeStoreRegistration
{
    public static FunctionsApplicationBuilder AddKnowledgeStores(this FunctionsApplicationBuilder builder)
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
        builder.SetDefault(IngestQueue.StreamSetting, IngestQueue.DefaultStream);
        builder.Services.AddSingleton<CollectionStore>();
        builder.Services.AddSingleton<DocumentStore>();
        builder.Services.AddSingleton(sp => new ChunkStore(sp.GetRequiredService<VectorDatabase>()) { EfSearch = efSearch });
        builder.Services.AddSingleton<IngestQueue>();
        builder.Services.AddSingleton<DocumentIntake>();
        builder.Services.AddSingleton<CollectionEmbedders>();
        builder.Services.AddSingleton<ChunkSearch>();
        builder.Services.AddSingleton<OperationsFigures>();
        builder.Services.AddSingleton<DeadLetters>();
        builder.Services.AddSingleton<IngestBacklog>();
        return builder;
    }

    /// <summary>For apps that only hand documents to ingestion (Posts): collections, documents, the queue and intake, no vector store.</summary>
    public static FunctionsApplicationBuilder AddKnowledgeIngestQueue(this FunctionsApplicationBuilder builder)
    {
        builder.SetDefault(IngestQueue.StreamSetting, IngestQueue.DefaultStream);
        builder.Services.AddSingleton<CollectionStore>();
        builder.Services.AddSingleton<DocumentStore>();
        builder.Services.AddSingleton<IngestQueue>();
        builder.Services.AddSingleton<DocumentIntake>();
        return builder;
    }
}
