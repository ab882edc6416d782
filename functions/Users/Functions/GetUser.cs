using Fathom.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Users.Functions;

public sealed class GetUser(ProfileCache profiles)
{
    /// <summary>Another user's public profile: display name, bio and since when, never the email.</summary>
    [Function(nameof(GetUser))]
    public async Task<Results<Ok<PublicProfile>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "users/{id:guid}")] HttpRequest req,
        Guid id,
        CancellationToken ct)
        => await profiles.GetAsync(id, ct) is { } profile
            ? TypedResults.Ok(profile.ToPublic())
            : TypedResults.NotFound();
}
