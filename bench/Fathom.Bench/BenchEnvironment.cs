using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using Fathom.Data;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using StackExchange.Redis;

namespace Fathom.Bench;

/// <summary>
/// What every measurement shares: the stack's Postgres and Redis (from .fathom/stack.env), a throwaway migrated
/// database, a vector store (by default a private database with pgvector on the stack's server, so 100k-row loads
/// neither touch nor are touched by the stack's own collections), an ES256 key pair the apps validate tokens with,
/// and one user.
/// Everything made here is removed by <see cref="DisposeAsync"/>.
/// </summary>
public sealed class BenchEnvironment : IAsyncDisposable
{
    public const string Issuer = "fathom";
    public const string Audience = "fathom-api";
    private const string KeyId = "bench-key";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _hostKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    private string? _database;
    private string? _vectorDatabase;

    private BenchEnvironment(string root, IReadOnlyDictionary<string, string> stack)
    {
        Root = root;
        Stack = stack;
        RunId = Guid.NewGuid().ToString("N")[..10];
    }

    public string Root { get; }

    public string RunId { get; }

    public IReadOnlyDictionary<string, string> Stack { get; }

    public string PostgresConnection { get; private set; } = "";

    public string RedisConnection => Stack["RedisConnection"];

    public string VectorStoreConnection { get; private set; } = "";

    public string VectorStoreKind { get; private set; } = "";

    public string IngestStream => $"fathom:bench:{RunId}:ingest";

    public string RateLimitPrefix => $"fathom:bench:{RunId}:ratelimit";

    public Guid UserId { get; private set; }

    public NpgsqlDataSource Database { get; private set; } = null!;

    public ConnectionMultiplexer Redis { get; private set; } = null!;

    /// <summary>Settings every app gets, as environment variables (the names of docs/conventions.md).</summary>
    public Dictionary<string, string> AppSettings => new()
    {
        ["PostgresConnection"] = PostgresConnection,
        ["RedisConnection"] = RedisConnection,
        ["VectorStoreConnection"] = VectorStoreConnection,
        ["Auth__Issuer"] = Issuer,
        ["Auth__Audience"] = Audience,
        ["Auth__SigningKeys__0__Id"] = KeyId,
        ["Auth__SigningKeys__0__PrivateKeyPem"] = _key.ExportPkcs8PrivateKeyPem(),
        ["Auth__ValidationKeys__0__Id"] = KeyId,
        ["Auth__ValidationKeys__0__PublicKeyPem"] = _key.ExportSubjectPublicKeyInfoPem(),
        ["FunctionsHost__Key"] = _hostKey,
        ["IngestStream"] = IngestStream,
        ["Embeddings__Provider"] = "hashed",
        ["Embeddings__Dimension"] = "384",
        // The rate limiter (when the app has it) stays on, with budgets no benchmark reaches: GCRA's interval is at
        // least 1 ms, so the burst is what keeps a load test from 429s.
        ["RateLimiting__Enabled"] = "true",
        ["RateLimiting__KeyPrefix"] = RateLimitPrefix,
        ["RateLimiting__Default__PermitsPerMinute"] = "60000",
        ["RateLimiting__Default__Burst"] = "100000000",
    };

    public static async Task<BenchEnvironment> CreateAsync(string root, bool sharedVectorStore)
    {
        var stack = LoadStack(root);
        var env = new BenchEnvironment(root, stack);
        try
        {
            await env.CreateDatabaseAsync();
            env.Redis = await ConnectionMultiplexer.ConnectAsync(env.RedisConnection);
            if (sharedVectorStore)
            {
                env.VectorStoreConnection = stack["VectorStoreConnection"];
                env.VectorStoreKind = "the stack's vector database (PostgreSQL with pgvector)";
            }
            else
            {
                await env.CreateVectorDatabaseAsync();
            }
        }
        catch
        {
            await env.DisposeAsync();
            throw;
        }
        return env;
    }

    public string Token(TimeSpan? lifetime = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", UserId.ToString()), new Claim("jti", Guid.NewGuid().ToString("N"))]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromHours(2)),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_key) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool PortOpen(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> LoadStack(string root)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var file = Path.Combine(root, ".fathom", "stack.env");
        if (File.Exists(file))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    settings[line[..eq]] = line[(eq + 1)..];
                }
            }
        }
        foreach (var name in new[] { "PostgresConnection", "RedisConnection", "VectorStoreConnection" })
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                settings[name] = value;
            }
            if (!settings.ContainsKey(name))
            {
                throw new InvalidOperationException($"{name} is not set: run scripts/stack.sh up first.");
            }
        }
        return settings;
    }

    private async Task CreateDatabaseAsync()
    {
        var name = $"fathom_bench_{RunId}";
        await using (var admin = NpgsqlDataSource.Create(Stack["PostgresConnection"]))
        {
            await using var create = admin.CreateCommand($"CREATE DATABASE {name}");
            await create.ExecuteNonQueryAsync();
        }
        _database = name;
        PostgresConnection = new NpgsqlConnectionStringBuilder(Stack["PostgresConnection"]) { Database = name }.ConnectionString;
        Database = NpgsqlDataSource.Create(PostgresConnection);
        await new MigrationRunner(Database).UpAsync(null, CancellationToken.None);
        UserId = Guid.NewGuid();
        await using var user = Database.CreateCommand("INSERT INTO users (id, email, password_hash, display_name) VALUES ($1, $2, 'not-a-login', 'Bench user')");
        user.Parameters.Add(new NpgsqlParameter { Value = UserId });
        user.Parameters.Add(new NpgsqlParameter { Value = $"bench-{RunId}@example.test" });
        await user.ExecuteNonQueryAsync();
    }

    /// <summary>A database of its own on the stack's PostgreSQL, with pgvector, dropped at the end.</summary>
    private async Task CreateVectorDatabaseAsync()
    {
        var name = $"fathom_bench_vectors_{RunId}";
        await using (var admin = NpgsqlDataSource.Create(Stack["VectorStoreConnection"]))
        {
            await using var create = admin.CreateCommand($"CREATE DATABASE {name}");
            await create.ExecuteNonQueryAsync();
            await using var version = admin.CreateCommand("SELECT version()");
            VectorStoreKind = $"private database with pgvector on the stack's server ({((string)(await version.ExecuteScalarAsync())!).Split(" on ")[0]})";
        }
        _vectorDatabase = name;
        VectorStoreConnection = new NpgsqlConnectionStringBuilder(Stack["VectorStoreConnection"]) { Database = name, CommandTimeout = 900 }.ConnectionString;
        await using var source = NpgsqlDataSource.Create(VectorStoreConnection);
        await using var extension = source.CreateCommand("CREATE EXTENSION vector");
        await extension.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Redis is not null)
        {
            try
            {
                var db = Redis.GetDatabase();
                var server = Redis.GetServers()[0];
                var keys = new List<RedisKey>();
                await foreach (var key in server.KeysAsync(pattern: $"fathom:bench:{RunId}:*", pageSize: 1000))
                {
                    keys.Add(key);
                }
                foreach (var slice in keys.Chunk(500))
                {
                    await db.KeyDeleteAsync(slice);
                }
            }
            catch (RedisException)
            {
                // Best effort: keys expire or stay harmlessly under the bench prefix.
            }
            await Redis.DisposeAsync();
        }
        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
        NpgsqlConnection.ClearAllPools();
        foreach (var name in new[] { _database, _vectorDatabase }.OfType<string>())
        {
            await using var admin = NpgsqlDataSource.Create(Stack["PostgresConnection"]);
            await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            await drop.ExecuteNonQueryAsync();
        }
        _key.Dispose();
    }
}
