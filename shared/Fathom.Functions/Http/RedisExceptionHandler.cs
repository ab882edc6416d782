using Fathom.Http;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using StackExchange.Redis;

namespace Fathom.Functions.Http;

/// <summary>Redis down or too slow to answer: a 503 worth retrying, with Retry-After, in place of a bare 500.</summary>
internal sealed class RedisExceptionHandler : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (http.Response.HasStarted || exception is not (RedisConnectionException or RedisTimeoutException))
        {
            return false;
        }
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Problems.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "Queue and cache unavailable", $"Redis did not answer. Try again in {RetryAfterSeconds} s.");
        return true;
    }
}
