using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Auth.Functions;

public sealed class RevokeApiKey(ApiKeyStore keys, TimeProvider time)
{
    /// <summary>Takes effect on the next call everywhere: every app looks keys up per request.</summary>
    [Function(nameof(RevokeApiKey))]
    public async Task<Results<NoContent, NotFound, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "delete", Route = "auth/keys/{id:guid}")] HttpRequest req,
        Guid id,
        CancellationToken ct)
    {
        if (req.HttpContext.User.FindFirst(CallerClaims.ApiKeyId) is not null)
        {
            return SessionResponses.KeysNeedSignIn();
        }
        return await keys.RevokeAsync(req.HttpContext.User.UserId(), id, time.GetUtcNow(), ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();
    }
}
