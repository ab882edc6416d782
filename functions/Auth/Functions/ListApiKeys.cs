using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Auth.Functions;

public sealed class ListApiKeys(ApiKeyStore keys)
{
    /// <summary>Every key of the caller, revoked ones too (with <c>revokedAt</c>), newest first. Never the secrets.</summary>
    [Function(nameof(ListApiKeys))]
    public async Task<Results<Ok<ApiKeyList>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "auth/keys")] HttpRequest req,
        CancellationToken ct)
    {
        if (req.HttpContext.User.FindFirst(CallerClaims.ApiKeyId) is not null)
        {
            return SessionResponses.KeysNeedSignIn();
        }
        return TypedResults.Ok(new ApiKeyList(await keys.ListAsync(req.HttpContext.User.UserId(), ct)));
    }
}
