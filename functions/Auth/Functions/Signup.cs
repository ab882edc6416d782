using Fathom.Functions;
using Fathom.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Auth.Functions;

public sealed class Signup(AccountStore accounts, PasswordHasher hasher)
{
    [Function(nameof(Signup))]
    public async Task<Results<Created<SignupResponse>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/signup")] HttpRequest req,
        [FromBody] SignupRequest body,
        CancellationToken ct)
    {
        var email = EmailAddress.Normalize(body.Email!);
        var displayName = body.DisplayName!.Trim();
        var hash = await hasher.HashAsync(body.Password!, ct);
        return await accounts.CreateAsync(email, hash, displayName, ct) is { } id
            ? TypedResults.Created($"/api/users/{id}", new SignupResponse(id, email, displayName))
            : Problems.Result(StatusCodes.Status409Conflict, "Email taken", "An account with this email already exists; sign in instead.");
    }
}
