using Fathom.Data;
using NpgsqlTypes;
using Fathom.Functions;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Tasks.Functions;

/// <summary>All SQL for tasks. Every statement filters on the owner, so another user's task is simply not found.</summary>
public sealed class TaskStore(SystemDatabase database)
{
    private const string Columns = "id, title, description, status, due_date, created_at, updated_at";

    public async Task<TaskItem> CreateAsync(Guid ownerId, CreateTaskRequest request, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"""
            INSERT INTO tasks (id, owner_id, title, description, status, due_date)
            VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING {Columns}
            """);
        command
            .With(Guid.CreateVersion7())
            .With(ownerId)
            .With(request.Title.Trim())
            .With(request.Description ?? "")
            .With(request.Status ?? "todo")
            .With(request.DueDate, NpgsqlDbType.Date);
        return (await command.ReadAllAsync(Read, ct))[0];
    }

    public async Task<TaskItem?> GetAsync(Guid ownerId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT {Columns} FROM tasks WHERE id = $1 AND owner_id = $2");
        command.With(id).With(ownerId);
        return (await command.ReadAllAsync(Read, ct)).SingleOrDefault();
    }

    public async Task<Paged<TaskItem>> ListAsync(Guid ownerId, string? status, DateOnly? dueBefore, PageRequest page, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"""
            SELECT {Columns}, count(*) OVER () FROM tasks
            WHERE owner_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::date IS NULL OR due_date < $3)
            ORDER BY created_at DESC, id DESC
            LIMIT $4 OFFSET $5
            """);
        command
            .With(ownerId)
            .With(status, NpgsqlDbType.Text)
            .With(dueBefore, NpgsqlDbType.Date)
            .With(page.PageSize)
            .With(page.Offset);
        return await command.ReadPageAsync(page, Read, c => CountAsync(ownerId, status, dueBefore, c), ct);
    }

    public async Task<TaskItem?> UpdateAsync(Guid ownerId, Guid id, UpdateTaskRequest request, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"""
            UPDATE tasks SET
                title = COALESCE($3, title),
                description = COALESCE($4, description),
                status = COALESCE($5, status),
                due_date = CASE WHEN $7 THEN NULL ELSE COALESCE($6, due_date) END,
                updated_at = now()
            WHERE id = $1 AND owner_id = $2
            RETURNING {Columns}
            """);
        command
            .With(id)
            .With(ownerId)
            .With(request.Title?.Trim(), NpgsqlDbType.Text)
            .With(request.Description, NpgsqlDbType.Text)
            .With(request.Status, NpgsqlDbType.Text)
            .With(request.DueDate, NpgsqlDbType.Date)
            .With(request.ClearDueDate);
        return (await command.ReadAllAsync(Read, ct)).SingleOrDefault();
    }

    public async Task<bool> DeleteAsync(Guid ownerId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("DELETE FROM tasks WHERE id = $1 AND owner_id = $2");
        command.With(id).With(ownerId);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    private async Task<long> CountAsync(Guid ownerId, string? status, DateOnly? dueBefore, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("""
            SELECT count(*) FROM tasks
            WHERE owner_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::date IS NULL OR due_date < $3)
            """);
        command.With(ownerId).With(status, NpgsqlDbType.Text).With(dueBefore, NpgsqlDbType.Date);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static TaskItem Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetFieldValue<DateOnly>(4),
        reader.GetFieldValue<DateTimeOffset>(5),
        reader.GetFieldValue<DateTimeOffset>(6));
}

public static class TaskStoreRegistration
{
    public static FunctionsApplicationBuilder AddTaskStore(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TaskStore>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, TasksJson.Default));
        return builder;
    }
}
