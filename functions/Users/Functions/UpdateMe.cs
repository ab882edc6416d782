using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Users.Functions;

public sealed class UpdateMe(UserStore store, ProfileCache profiles, TimeProvider time)
{
    [Function(nameof(UpdateMe))]
    public async Task<Results<Ok<UserProfile>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "patch", Route = "users/me")] HttpRequest req,
        [FromBody] UpdateProfileRequest body,
        CancellationToken ct)
    {
        var userId = req.HttpContext.User.UserId();
        var updated = await store.UpdateAsync(userId, body, time.GetUtcNow(), ct);
        // Postgres first, then the cache: the other order would let a read in between cache the old row again.
        await profiles.InvalidateAsync(userId, ct);
        return updated is not null ? TypedResults.Ok(updated) : TypedResults.NotFound();
    }
}
