using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Users.Functions;

public sealed class GetMe(ProfileCache profiles)
{
    [Function(nameof(GetMe))]
    public async Task<Results<Ok<UserProfile>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "users/me")] HttpRequest req,
        CancellationToken ct)
        => await profiles.GetAsync(req.HttpContext.User.UserId(), ct) is { } profile
            ? TypedResults.Ok(profile)
            : TypedResults.NotFound();
}
