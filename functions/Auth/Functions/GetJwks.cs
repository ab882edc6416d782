using Fathom.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Auth.Functions;

public sealed class GetJwks(PublishedKeys keys)
{
    [Function(nameof(GetJwks))]
    public Ok<JsonWebKeySet> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "auth/jwks")] HttpRequest req)
    {
        // Short enough that a newly added key is seen well before it starts signing.
        req.HttpContext.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(keys.Set);
    }
}
