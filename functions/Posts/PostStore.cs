using Fathom.Data;
using Fathom.Functions;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Posts.Functions;

public enum EditOutcome
{
    Done,

    /// <summary>No such post, or another user's draft (which must not be seen to exist).</summary>
    NotFound,

    /// <summary>Another user's published post: visible, but not theirs to change.</summary>
    Forbidden,
}

/// <summary>
/// All SQL for posts. A caller sees published posts and their own drafts; only the author changes a post.
/// Search uses the generated <c>search</c> tsvector (title weighted over body) with <c>websearch_to_tsquery</c>,
/// so people can type "quoted phrases", or and -minus as in a web search engine.
/// </summary>
public sealed class PostStore(SystemDatabase database)
{
    private const string Columns = "id, author_id, title, body, published, created_at, updated_at";
    private const string Visible = "(published OR author_id = $1)";
    private const string Matches = "($2::text IS NULL OR search @@ websearch_to_tsquery('english', $2))";

    public async Task<PostItem> CreateAsync(Guid authorId, CreatePostRequest request, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"""
            INSERT INTO posts (id, author_id, title, body, published, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = Guid.CreateVersion7() });
        command.Parameters.Add(new() { Value = authorId });
        command.Parameters.Add(new() { Value = request.Title!.Trim() });
        command.Parameters.Add(new() { Value = request.Body ?? "" });
        command.Parameters.Add(new() { Value = request.Published });
        command.Parameters.Add(new() { Value = now });
        return (await ReadAsync(command, ct))[0];
    }

    public async Task<PostItem?> GetAsync(Guid callerId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT {Columns} FROM posts WHERE id = $2 AND {Visible}");
        command.Parameters.Add(new() { Value = callerId });
        command.Parameters.Add(new() { Value = id });
        return (await ReadAsync(command, ct)).SingleOrDefault();
    }

    public async Task<Paged<PostItem>> ListAsync(Guid callerId, string? query, string sort, PageRequest page, CancellationToken ct)
    {
        // Only these fixed strings reach the SQL; the caller's sort just picks one.
        var order = sort switch
        {
            "createdAt" => "created_at ASC, id ASC",
            "title" => "lower(title) ASC, id ASC",
            PostSorts.Relevance when query is not null => "ts_rank(search, websearch_to_tsquery('english', $2)) DESC, created_at DESC, id DESC",
            _ => "created_at DESC, id DESC",
        };
        await using var command = database.Source.CreateCommand($"""
            SELECT {Columns}, count(*) OVER () FROM posts
            WHERE {Visible} AND {Matches}
            ORDER BY {order}
            LIMIT $3 OFFSET $4
            """);
        command.Parameters.Add(new() { Value = callerId });
        command.Parameters.Add(new() { Value = (object?)query ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = page.PageSize });
        command.Parameters.Add(new() { Value = page.Offset });
        long total = 0;
        var items = await ReadAsync(command, ct, reader => total = reader.GetInt64(7));
        if (items.Count == 0 && page.Page > 1)
        {
            total = await CountAsync(callerId, query, ct);
        }
        return new Paged<PostItem>(items, page.Page, page.PageSize, total);
    }

    public async Task<(EditOutcome Outcome, PostItem? Post)> UpdateAsync(Guid authorId, Guid id, UpdatePostRequest request, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"""
            UPDATE posts SET
                title = COALESCE($3, title),
                body = COALESCE($4, body),
                published = COALESCE($5, published),
                updated_at = $6
            WHERE id = $1 AND author_id = $2
            RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = authorId });
        command.Parameters.Add(new() { Value = (object?)request.Title?.Trim() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)request.Body ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)request.Published ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
        command.Parameters.Add(new() { Value = now });
        if ((await ReadAsync(command, ct)).SingleOrDefault() is { } post)
        {
            return (EditOutcome.Done, post);
        }
        return (await WhyNotAsync(id, ct), null);
    }

    public async Task<EditOutcome> DeleteAsync(Guid authorId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("DELETE FROM posts WHERE id = $1 AND author_id = $2");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = authorId });
        return await command.ExecuteNonQueryAsync(ct) == 1 ? EditOutcome.Done : await WhyNotAsync(id, ct);
    }

    /// <summary>The author check failed: a published post is someone else's (403); anything else does not exist for the caller (404).</summary>
    private async Task<EditOutcome> WhyNotAsync(Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("SELECT published FROM posts WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteScalarAsync(ct) is true ? EditOutcome.Forbidden : EditOutcome.NotFound;
    }

    private async Task<long> CountAsync(Guid callerId, string? query, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT count(*) FROM posts WHERE {Visible} AND {Matches}");
        command.Parameters.Add(new() { Value = callerId });
        command.Parameters.Add(new() { Value = (object?)query ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<List<PostItem>> ReadAsync(NpgsqlCommand command, CancellationToken ct, Action<NpgsqlDataReader>? extra = null)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var items = new List<PostItem>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(new PostItem(
                reader.GetGuid(0),
                reader.GetGuid(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetBoolean(4),
                reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetFieldValue<DateTimeOffset>(6)));
            extra?.Invoke(reader);
        }
        return items;
    }
}

public static class PostStoreRegistration
{
    public static FunctionsApplicationBuilder AddPostStore(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PostStore>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PostsJson.Default));
        return builder;
    }
}
