using System.Diagnostics.Metrics;
using System.Text.Json;
using Fathom.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Users.Functions;

/// <summary>Settings under <c>Users:Cache</c>.</summary>
public sealed class ProfileCacheOptions
{
    public const string Section = "Users:Cache";

    /// <summary>How long a profile is served from Redis; also the longest a missed invalidation can show stale data.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The longest one cache call may take before the request goes to Postgres instead. Short, because the
    /// database answers in a few milliseconds: waiting for a sick Redis only makes every request slower.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// Cache-aside for profiles, keyed by user id: read Redis, on a miss read Postgres and fill Redis; writes go
/// to Postgres and then delete the key. Redis is never required: when it is down or slow the request is
/// answered from Postgres, with a warning and a <c>fathom.users.cache_bypass</c> count.
/// </summary>
public sealed partial class ProfileCache
{
    private readonly UserStore _store;
    private readonly RedisConnections _redis;
    private readonly ProfileCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ProfileCache> _logger;
    private readonly Counter<long> _bypassed;

    public ProfileCache(UserStore store, RedisConnections redis, IOptions<ProfileCacheOptions> options, TimeProvider time, IMeterFactory meters, ILogger<ProfileCache> logger)
    {
        _store = store;
        _redis = redis;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _bypassed = meters.Create("Fathom.Users").CreateCounter<long>("fathom.users.cache_bypass", description: "Profile requests answered without the cache because Redis was unavailable.");
    }

    public static string Key(Guid userId) => $"fathom:users:profile:{userId:N}";

    public async Task<UserProfile?> GetAsync(Guid userId, CancellationToken ct)
    {
        var db = await DatabaseAsync("read", ct);
        if (db is not null)
        {
            try
            {
                var cached = await db.StringGetAsync(Key(userId)).WaitAsync(_options.Timeout, _time, ct);
                if (cached.HasValue)
                {
                    return JsonSerializer.Deserialize((byte[])cached!, UsersJson.Default.UserProfile);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Bypassed("read", ex);
                db = null;
            }
        }

        var profile = await _store.GetAsync(userId, ct);
        if (profile is not null && db is not null)
        {
            try
            {
                var json = JsonSerializer.SerializeToUtf8Bytes(profile, UsersJson.Default.UserProfile);
                await db.StringSetAsync(Key(userId), json, _options.Ttl).WaitAsync(_options.Timeout, _time, ct);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Bypassed("fill", ex);
            }
        }
        return profile;
    }

    /// <summary>Called after the row changed, so the next read loads it again (on every replica).</summary>
    public async Task InvalidateAsync(Guid userId, CancellationToken ct)
    {
        var db = await DatabaseAsync("invalidate", ct);
        if (db is null)
        {
            return;
        }
        try
        {
            await db.KeyDeleteAsync(Key(userId)).WaitAsync(_options.Timeout, _time, ct);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Bypassed("invalidate", ex);
        }
    }

    private async Task<IDatabaseAsync?> DatabaseAsync(string operation, CancellationToken ct)
    {
        try
        {
            var connection = await _redis.GetAsync().WaitAsync(_options.Timeout, _time, ct);
            if (connection.IsConnected)
            {
                return connection.GetDatabase();
            }
            // Known to be down: a command would wait out the client's whole backlog timeout (5 s by default).
            Bypassed(operation, null);
            return null;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Bypassed(operation, ex);
            return null;
        }
    }

    private void Bypassed(string operation, Exception? ex)
    {
        _bypassed.Add(1, new KeyValuePair<string, object?>("operation", operation));
        if (operation == "invalidate")
        {
            LogInvalidationMissed(_logger, ex, _options.Ttl);
        }
        else
        {
            LogBypassed(_logger, ex, operation);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Profile cache bypassed ({Operation}): Redis unavailable, answering from Postgres")]
    private static partial void LogBypassed(ILogger logger, Exception? ex, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Profile cache not invalidated: Redis unavailable; a cached copy may be served for up to {Ttl} once Redis is back")]
    private static partial void LogInvalidationMissed(ILogger logger, Exception? ex, TimeSpan ttl);
}
