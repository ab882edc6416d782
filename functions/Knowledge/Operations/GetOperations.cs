using Fathom.Functions;
using Fathom.Knowledge.Stores.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Operations;

/// <summary>The operations page's figures: app states, the ingest backlog, dead letters, and the last hour per minute.</summary>
public sealed class GetOperations(Administrators administrators, AppStates apps, IngestBacklog backlog, DeadLetters deadLetters, OperationsFigures figures)
{
    [Function(nameof(GetOperations))]
    public async Task<Results<Ok<OperationsSnapshot>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "operations")] HttpRequest req,
        CancellationToken ct)
    {
        if (await administrators.RefuseUnlessAdministratorAsync(req.HttpContext.User, ct) is { } refused)
        {
            return refused;
        }
        var states = await apps.ReadAsync(ct);
        return TypedResults.Ok(new OperationsSnapshot(
            states.Apps,
            states.Unavailable,
            await backlog.ReadAsync(),
            await deadLetters.CountAsync(),
            (await figures.ReadLastHourAsync()).Minutes));
    }
}

public sealed record OperationsSnapshot(
    IReadOnlyList<AppStatus> Apps,
    string? AppsUnavailable,
    Backlog Ingest,
    long DeadLetters,
    IReadOnlyList<MinuteFigures> LastHour);
