using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Data;
using Fathom.Functions;
using Fathom.Http;

namespace Posts.Functions;

public sealed record PostItem(Guid Id, Guid AuthorId, string Title, string Body, bool Published, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public static class PostSorts
{
    public const string Relevance = "relevance";
    public const string Newest = "-createdAt";
    public static readonly string[] All = ["createdAt", Newest, "title", Relevance];
}

public static class PostLimits
{
    public const int MaxTitle = 200;
    public const int MaxBody = 100_000;
    public const int MaxQuery = 200;
}

public sealed record CreatePostRequest(string? Title, string? Body, bool Published) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Text("title", Title, 1, PostLimits.MaxTitle);
        errors.Text("body", Body ?? "", 0, PostLimits.MaxBody);
    }
}

/// <summary>Only the fields present change.</summary>
public sealed record UpdatePostRequest(string? Title, string? Body, bool? Published) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Title is not null)
        {
            errors.Text("title", Title, 1, PostLimits.MaxTitle);
        }
        errors.Text("body", Body ?? "", 0, PostLimits.MaxBody);
    }
}

[JsonSerializable(typeof(PostItem))]
[JsonSerializable(typeof(Paged<PostItem>))]
[JsonSerializable(typeof(CreatePostRequest))]
[JsonSerializable(typeof(UpdatePostRequest))]
[JsonSerializable(typeof(IndexPostRequest))]
[JsonSerializable(typeof(IndexPostResponse))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class PostsJson : JsonSerializerContext;
