using Fathom.Functions;
using Fathom.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Auth.Functions;

public sealed partial class Refresh(SessionStore sessions, TokenIssuer issuer, TokenRevocations revocations, TimeProvider time, ILogger<Refresh> logger)
{
    [Function(nameof(Refresh))]
    public async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/refresh")] HttpRequest req,
        [FromBody] RefreshRequest body,
        CancellationToken ct)
    {
        IssuedAccessToken? access = null;
        IssuedRefreshToken? refresh = null;
        var rotation = await sessions.RotateAsync(TokenIssuer.HashRefreshToken(body.RefreshToken!.Trim()), time.GetUtcNow(), userId =>
        {
            access = issuer.CreateAccessToken(userId);
            refresh = issuer.CreateRefreshToken();
            return (refresh, access);
        }, ct);

        switch (rotation.Outcome)
        {
            case RotationOutcome.Rotated:
                return TypedResults.Ok(SessionResponses.Tokens(req, access!, refresh!, issuer.AccessTokenLifetime));
            case RotationOutcome.Reused:
                // A spent token came back: either its holder or a thief has a copy. Neither can be told apart,
                // so the whole family ends, including the access tokens it handed out.
                LogReuse(logger, rotation.UserId);
                if (!await revocations.RevokeAsync(rotation.LiveAccessTokens))
                {
                    LogRevocationFailed(logger, rotation.UserId);
                }
                return Problems.Result(StatusCodes.Status401Unauthorized, "Session ended",
                    "This refresh token was already used, so every session started with it is signed out. Sign in again.");
            default:
                return Problems.Result(StatusCodes.Status401Unauthorized, "Session ended",
                    "The refresh token is not valid or has expired. Sign in again.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spent refresh token presented again for user {UserId}: its family is revoked")]
    private static partial void LogReuse(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access tokens of a revoked family of user {UserId} could not be revoked (Redis unavailable); they end at their expiry")]
    private static partial void LogRevocationFailed(ILogger logger, Guid userId);
}
