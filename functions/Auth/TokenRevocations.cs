using Fathom.Identity;
using Fathom.Redis;
using StackExchange.Redis;

namespace Auth.Functions;

/// <summary>
/// Revocation marks for access tokens, read by every app's <see cref="CallerAuthenticationHandler"/>.
/// A mark lives as long as the token could still pass validation, then Redis drops it.
/// </summary>
public sealed class TokenRevocations(RedisConnections redis, TimeProvider time)
{
    /// <summary>Validators accept a token this long past its exp (clock skew), so the mark must outlive exp by as much.</summary>
    private static readonly TimeSpan ValidationClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>Marks each still-live token as revoked; false when Redis could not take the marks.</summary>
    public async Task<bool> RevokeAsync(IEnumerable<(string TokenId, DateTimeOffset ExpiresAt)> tokens)
    {
        var now = time.GetUtcNow();
        var live = tokens.Where(t => t.ExpiresAt + ValidationClockSkew > now).ToArray();
        if (live.Length == 0)
        {
            return true;
        }
        try
        {
            var connection = await redis.GetAsync();
            if (!connection.IsConnected)
            {
                return false;
            }
            var db = connection.GetDatabase();
            await Task.WhenAll(live.Select(t =>
                db.StringSetAsync(CallerAuthenticationHandler.RevocationKey(t.TokenId), "1", t.ExpiresAt + ValidationClockSkew - now)));
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>As the handler decides: without Redis the token's short lifetime is the limit.</summary>
    public async Task<bool> IsRevokedAsync(string tokenId)
    {
        try
        {
            var connection = await redis.GetAsync();
            return connection.IsConnected && await connection.GetDatabase().KeyExistsAsync(CallerAuthenticationHandler.RevocationKey(tokenId));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }
}
