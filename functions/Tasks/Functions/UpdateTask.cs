using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tasks.Functions;

public sealed class UpdateTask(TaskStore store)
{
    [Function(nameof(UpdateTask))]
    public async Task<Results<Ok<TaskItem>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "patch", Route = "tasks/{id:guid}")] HttpRequest req,
        Guid id,
        [FromBody] UpdateTaskRequest body,
        CancellationToken ct)
        => await store.UpdateAsync(req.HttpContext.User.UserId(), id, body, ct) is { } task
            ? TypedResults.Ok(task)
            : TypedResults.NotFound();
}
