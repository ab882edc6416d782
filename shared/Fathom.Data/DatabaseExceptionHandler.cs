using Fathom.Http;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace Fathom.Data;

/// <summary>
/// What a caller sees when Postgres refuses or cannot be reached, in place of a bare 500: text it cannot store is
/// the caller's to fix (400); a database that is down or overloaded is worth retrying (503 with Retry-After).
/// </summary>
internal sealed class DatabaseExceptionHandler : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (http.Response.HasStarted)
        {
            return false;
        }
        switch (exception)
        {
            case PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter }:
                await Problems.WriteAsync(http, StatusCodes.Status400BadRequest, "Unusable text", "The request holds text the database cannot store (such as the NUL character \\u0000).");
                return true;
            case NpgsqlException when StoreOutage.Is(exception):
                http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Problems.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "Database unavailable", $"The database did not answer; nothing was changed by the part that failed. Try again in {RetryAfterSeconds} s.");
                return true;
            default:
                return false;
        }
    }
}
