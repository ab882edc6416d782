using Fathom.Data;
using NpgsqlTypes;
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
        command.With(Guid.CreateVersion7()).With(authorId).With(request.Title!.Trim()).With(request.Body ?? "").With(request.Published).With(now);
        return (await command.ReadAllAsync(Read, ct))[0];
    }

    public async Task<PostItem?> GetAsync(Guid callerId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT {Columns} FROM posts WHERE id = $2 AND {Visible}");
        command.With(callerId).With(id);
        return (await command.ReadAllAsync(Read, ct)).SingleOrDefault();
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
        command.With(callerId).With(query, NpgsqlDbType.Text).With(page.PageSize).With(page.Offset);
        return await command.ReadPageAsync(page, Read, c => CountAsync(callerId, query, c), ct);
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
        command
            .With(id)
            .With(authorId)
            .With(request.Title?.Trim(), NpgsqlDbType.Text)
            .With(request.Body, NpgsqlDbType.Text)
            .With(request.Published, NpgsqlDbType.Boolean)
            .With(now);
        if ((await command.ReadAllAsync(Read, ct)).SingleOrDefault() is { } post)
        {
            return (EditOutcome.Done, post);
        }
        return (await WhyNotAsync(id, ct), null);
    }

    public async Task<EditOutcome> DeleteAsync(Guid authorId, Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("DELETE FROM posts WHERE id = $1 AND author_id = $2");
        command.With(id).With(authorId);
        return await command.ExecuteNonQueryAsync(ct) == 1 ? EditOutcome.Done : await WhyNotAsync(id, ct);
    }

    /// <summary>The author check failed: a published post is someone else's (403); anything else does not exist for the caller (404).</summary>
    private async Task<EditOutcome> WhyNotAsync(Guid id, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand("SELECT published FROM posts WHERE id = $1");
        command.With(id);
        return await command.ExecuteScalarAsync(ct) is true ? EditOutcome.Forbidden : EditOutcome.NotFound;
    }

    private async Task<long> CountAsync(Guid callerId, string? query, CancellationToken ct)
    {
        await using var command = database.Source.CreateCommand($"SELECT count(*) FROM posts WHERE {Visible} AND {Matches}");
        command.With(callerId).With(query, NpgsqlDbType.Text);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static PostItem Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetGuid(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetBoolean(4),
        reader.GetFieldValue<DateTimeOffset>(5),
        reader.GetFieldValue<DateTimeOffset>(6));
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
