using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tasks.Functions;

public sealed class GetTask(TaskStore store)
{
    [Function(nameof(GetTask))]
    public async Task<Results<Ok<TaskItem>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "tasks/{id:guid}")] HttpRequest req,
        Guid id,
        CancellationToken ct)
        => await store.GetAsync(req.HttpContext.User.UserId(), id, ct) is { } task
            ? TypedResults.Ok(task)
            : TypedResults.NotFound();
}
