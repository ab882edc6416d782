using Fathom.Functions;
using Fathom.Knowledge.Stores.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Operations;

/// <summary>The newest dead letters (up to 100) with the error each died of.</summary>
public sealed class ListDeadLetters(Administrators administrators, DeadLetters deadLetters)
{
    private const int Limit = 100;

    [Function(nameof(ListDeadLetters))]
    public async Task<Results<Ok<DeadLetterList>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "operations/dead-letters")] HttpRequest req,
        CancellationToken ct)
    {
        if (await administrators.RefuseUnlessAdministratorAsync(req.HttpContext.User, ct) is { } refused)
        {
            return refused;
        }
        return TypedResults.Ok(new DeadLetterList(await deadLetters.ListAsync(Limit), await deadLetters.CountAsync()));
    }
}

public sealed record DeadLetterList(IReadOnlyList<DeadLetter> Items, long Total);
