using Fathom.Functions;
using Fathom.Http;
using Fathom.Knowledge.Stores.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Operations;

/// <summary>Puts a dead letter back on the ingestion stream (and out of the dead letters) in one step; a second call is a 404.</summary>
public sealed partial class RetryDeadLetter(Administrators administrators, DeadLetters deadLetters, ILogger<RetryDeadLetter> logger)
{
    [Function(nameof(RetryDeadLetter))]
    public async Task<Results<Ok<RetriedDeadLetter>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "operations/dead-letters/{id}/retry")] HttpRequest req,
        string id,
        CancellationToken ct)
    {
        if (await administrators.RefuseUnlessAdministratorAsync(req.HttpContext.User, ct) is { } refused)
        {
            return refused;
        }
        if (await deadLetters.RetryAsync(id) is not { } requeued)
        {
            return Problems.Result(StatusCodes.Status404NotFound, "No such dead letter", $"'{id}' is not in {deadLetters.Key} (already retried, or trimmed).");
        }
        LogRetried(logger, id, requeued);
        return TypedResults.Ok(new RetriedDeadLetter(id, requeued));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead letter {Id} retried as ingest entry {Requeued}")]
    private static partial void LogRetried(ILogger logger, string id, string requeued);
}

public sealed record RetriedDeadLetter(string Id, string RequeuedAs);
