using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Data;
using Fathom.Functions;
using Fathom.Http;

namespace Tasks.Functions;

public sealed record TaskItem(Guid Id, string Title, string Description, string Status, DateOnly? DueDate, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public static class TaskStatuses
{
    public static readonly string[] All = ["todo", "in_progress", "done"];
}

public sealed record CreateTaskRequest(string Title, string? Description, string? Status, DateOnly? DueDate) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Text("title", Title, 1, 200);
        errors.Text("description", Description ?? "", 0, 10_000);
        errors.OneOf("status", Status, TaskStatuses.All);
    }
}

/// <summary>Only the fields present change; <c>clearDueDate</c> removes the due date.</summary>
public sealed record UpdateTaskRequest(string? Title, string? Description, string? Status, DateOnly? DueDate, bool ClearDueDate) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Title is not null)
        {
            errors.Text("title", Title, 1, 200);
        }
        errors.Text("description", Description ?? "", 0, 10_000);
        errors.OneOf("status", Status, TaskStatuses.All);
    }
}

[JsonSerializable(typeof(TaskItem))]
[JsonSerializable(typeof(Paged<TaskItem>))]
[JsonSerializable(typeof(CreateTaskRequest))]
[JsonSerializable(typeof(UpdateTaskRequest))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class TasksJson : JsonSerializerContext;
