namespace Fathom.Testing;

/// <summary>An RFC 7807 problem as every app writes it (validation problems add <see cref="Errors"/> per field).</summary>
public sealed record Problem(string? Type, string Title, int Status, string? Detail, string? RequestId, IReadOnlyDictionary<string, string[]>? Errors)
{
    /// <summary>The messages about one field; none when the field is not named.</summary>
    public string[] ErrorsOf(string field) => Errors?.GetValueOrDefault(field) ?? [];
}

/// <summary>One page of a list: <c>{ items, page, pageSize, total }</c>.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);
