using System.Security.Claims;
using Fathom.Data;
using Fathom.Functions;
using Fathom.Http;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Knowledge.Functions.Operations;

/// <summary>Whether the caller is one of <see cref="OperationsOptions.Administrators"/> (by user id, or by the e-mail of their account).</summary>
public sealed class Administrators(IOptions<OperationsOptions> options, SystemDatabase database)
{
    /// <summary>Null for an administrator; otherwise the 403 problem to answer with.</summary>
    public async Task<ProblemHttpResult?> RefuseUnlessAdministratorAsync(ClaimsPrincipal caller, CancellationToken ct)
        => await IsAdministratorAsync(caller.UserId(), ct)
            ? null
            : Problems.Result(StatusCodes.Status403Forbidden, "Administrators only", "The operations page is for administrators (setting Operations__Administrators).");

    public async Task<bool> IsAdministratorAsync(Guid userId, CancellationToken ct)
    {
        var listed = options.Value.Administrators;
        if (listed.Any(a => Guid.TryParse(a, out var id) && id == userId))
        {
            return true;
        }
        var emails = listed.Where(a => !Guid.TryParse(a, out _)).ToArray();
        if (emails.Length == 0)
        {
            return false;
        }
        // E-mails are unique case-insensitively (users_email_key on lower(email)), so compare the same way.
        await using var command = database.Source.CreateCommand("SELECT lower(email) = ANY($2) FROM users WHERE id = $1");
        command.With(userId).With(emails.Select(e => e.ToLowerInvariant()).ToArray());
        return await command.ExecuteScalarAsync(ct) is true;
    }
}
