using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Auth.Functions;

public sealed class CreateApiKey(ApiKeyStore keys)
{
    [Function(nameof(CreateApiKey))]
    public async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "auth/keys")] HttpRequest req,
        [FromBody] CreateApiKeyRequest body,
        CancellationToken ct)
    {
        if (req.HttpContext.User.FindFirst(CallerClaims.ApiKeyId) is not null)
        {
            return SessionResponses.KeysNeedSignIn();
        }
        var scopes = ApiKeyScopes.All.Where(body.Scopes!.Contains).ToArray();
        var created = await keys.CreateAsync(req.HttpContext.User.UserId(), body.Name!.Trim(), scopes, ct);
        SessionResponses.NoStore(req);
        return TypedResults.Created("/api/auth/keys", created);
    }
}
