using Fathom.Functions;
using Fathom.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tasks.Functions;

public sealed class DeleteTask(TaskStore store)
{
    [Function(nameof(DeleteTask))]
    public async Task<Results<NoContent, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "delete", Route = "tasks/{id:guid}")] HttpRequest req,
        Guid id,
        CancellationToken ct)
        => await store.DeleteAsync(req.HttpContext.User.UserId(), id, ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();
}
