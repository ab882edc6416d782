using Fathom.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Auth.Functions;

public sealed partial class Login(
    AccountStore accounts,
    SessionStore sessions,
    PasswordHasher hasher,
    TokenIssuer issuer,
    IOptions<LockoutOptions> lockout,
    TimeProvider time,
    ILogger<Login> logger)
{
    [Function(nameof(Login))]
    public async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/login")] HttpRequest req,
        [FromBody] LoginRequest body,
        CancellationToken ct)
    {
        var account = await accounts.FindForLoginAsync(EmailAddress.Normalize(body.Email!), ct);
        if (account is null)
        {
            await hasher.DummyVerifyAsync(body.Password!, ct);
            return SessionResponses.BadCredentials();
        }

        var now = time.GetUtcNow();
        var claim = await accounts.ClaimAttemptAsync(account.Id, now, lockout.Value, ct);
        if (!claim.Claimed)
        {
            return SessionResponses.Locked(req, await accounts.LockedUntilAsync(account.Id, ct), now);
        }

        var check = await hasher.VerifyAsync(body.Password!, account.PasswordHash, ct);
        if (!check.Valid)
        {
            if (claim.LockedUntil is { } until && until > now)
            {
                LogLockedOut(logger, account.Id, until);
                return SessionResponses.Locked(req, until, now);
            }
            return SessionResponses.BadCredentials();
        }

        var rehashed = check.NeedsRehash ? await hasher.HashAsync(body.Password!, ct) : null;
        await accounts.RecordSuccessAsync(account.Id, rehashed, ct);
        var access = issuer.CreateAccessToken(account.Id);
        var refresh = issuer.CreateRefreshToken();
        await sessions.StartFamilyAsync(account.Id, refresh, access, ct);
        return TypedResults.Ok(SessionResponses.Tokens(req, access, refresh, issuer.AccessTokenLifetime));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId} locked out until {Until} after repeated wrong passwords")]
    private static partial void LogLockedOut(ILogger logger, Guid userId, DateTimeOffset until);
}
