using Fathom.Data;
using Fathom.Testing;
using Npgsql;
using Pgvector.Npgsql;

namespace Fathom.Knowledge.Stores.Tests;

/// <summary>The stack's vector database (PostgreSQL with pgvector), as the apps open it, and collections made for one test.</summary>
public sealed class VectorStoreFixture : IAsyncDisposable
{
    private readonly List<Guid> _collections = [];

    public VectorStoreFixture(int maxPoolSize = 50)
    {
        var builder = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(TestStack.VectorStore) { MaxPoolSize = maxPoolSize }.ConnectionString);
        builder.UseVector();
        Source = builder.Build();
        Store = new ChunkStore(new VectorDatabase(Source));
    }

    public NpgsqlDataSource Source { get; }

    public ChunkStore Store { get; }

    public async Task<Guid> CollectionAsync(int dimension)
    {
        var id = Guid.NewGuid();
        _collections.Add(id);
        await Store.EnsureCollectionAsync(id, dimension, CancellationToken.None);
        return id;
    }

    /// <summary>A collection made by the test itself, dropped with the others.</summary>
    public void Track(Guid collection) => _collections.Add(collection);

    public static float[] RandomUnitVector(Random random, int dimension, float[]? near = null, float spread = 1f)
    {
        var v = new float[dimension];
        for (var i = 0; i < dimension; i++)
        {
            v[i] = (near?[i] ?? 0) + (spread * (float)((random.NextDouble() * 2) - 1));
        }
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    public static List<ChunkRecord> Chunks(Guid document, int from, int count, Func<int, float[]> embedding)
        => Enumerable.Range(from, count)
            .Select(p => new ChunkRecord(ChunkRecord.IdFor(document, 1, p), document, 1, p, $"chunk {p} of {document:N}", null, null, embedding(p)))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _collections)
        {
            await Store.DropCollectionAsync(id, CancellationToken.None);
        }
        Store.Dispose();
        await Source.DisposeAsync();
    }
}
