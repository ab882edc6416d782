using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tasks.Functions;

public sealed class CreateTask(TaskStore store)
{
    [Function(nameof(CreateTask))]
    public async Task<Created<TaskItem>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "tasks")] HttpRequest req,
        [FromBody] CreateTaskRequest body,
        CancellationToken ct)
    {
        var task = await store.CreateAsync(req.HttpContext.User.UserId(), body, ct);
        return TypedResults.Created($"/api/tasks/{task.Id}", task);
    }
}
