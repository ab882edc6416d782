using Fathom.Data;
using Fathom.Functions;
using Fathom.Http;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tasks.Functions;

public sealed class ListTasks(TaskStore store)
{
    /// <summary><c>?status=todo|in_progress|done&amp;dueBefore=2026-12-31&amp;page=1&amp;pageSize=20</c>, newest first.</summary>
    [Function(nameof(ListTasks))]
    public async Task<Results<Ok<Paged<TaskItem>>, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "tasks")] HttpRequest req,
        CancellationToken ct)
    {
        if (!PageRequest.TryRead(req, out var page, out var problem))
        {
            return problem!;
        }
        var errors = new ValidationErrors();
        var status = req.Query["status"].ToString() is { Length: > 0 } s ? s : null;
        errors.OneOf("status", status, TaskStatuses.All);
        DateOnly? dueBefore = null;
        if (req.Query["dueBefore"].ToString() is { Length: > 0 } raw)
        {
            if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", out var date))
            {
                dueBefore = date;
            }
            else
            {
                errors.Add("dueBefore", "'dueBefore' must be a date like 2026-12-31.");
            }
        }
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request is not valid.");
        }
        return TypedResults.Ok(await store.ListAsync(req.HttpContext.User.UserId(), status, dueBefore, page, ct));
    }
}
