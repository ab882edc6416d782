using System.Globalization;
using Fathom.Functions;
using Fathom.Http;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Auth.Functions;

public sealed partial class Logout(SessionStore sessions, TokenRevocations revocations, TimeProvider time, ILogger<Logout> logger)
{
    /// <summary>Ends the refresh token's family and revokes the calling access token (and the family's others) at once.</summary>
    [Function(nameof(Logout))]
    public async Task<Results<NoContent, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "auth/logout")] HttpRequest req,
        [FromBody] LogoutRequest body,
        CancellationToken ct)
    {
        var caller = req.HttpContext.User;
        var toRevoke = new List<(string TokenId, DateTimeOffset ExpiresAt)>();
        if (body.RefreshToken is { Length: > 0 } refreshToken)
        {
            toRevoke.AddRange(await sessions.EndFamilyAsync(caller.UserId(), TokenIssuer.HashRefreshToken(refreshToken.Trim()), time.GetUtcNow(), ct));
        }
        if (caller.FindFirst(CallerClaims.TokenId)?.Value is { } tokenId
            && long.TryParse(caller.FindFirst("exp")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp))
        {
            toRevoke.Add((tokenId, DateTimeOffset.FromUnixTimeSeconds(exp)));
        }

        if (!await revocations.RevokeAsync(toRevoke))
        {
            LogRevocationFailed(logger, caller.UserId());
            return Problems.Result(StatusCodes.Status503ServiceUnavailable, "Signed out only in part",
                "The refresh token is revoked, but the access token could not be (the revocation store is unavailable); it stops working when it expires.");
        }
        return TypedResults.NoContent();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Logout of user {UserId} could not revoke access tokens: Redis unavailable")]
    private static partial void LogRevocationFailed(ILogger logger, Guid userId);
}
