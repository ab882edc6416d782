using System.Globalization;
using Fathom.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Fathom.Data;

/// <summary>A page of a list; <c>total</c> counts every match so clients can draw a pager.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

/// <summary><c>?page=1&amp;pageSize=20</c>, checked: page ≥ 1, pageSize 1..100.</summary>
public readonly record struct PageRequest(int Page, int PageSize)
{
    public const int MaxPageSize = 100;

    private const int MaxPage = 1_000_000;

    public int Offset => (Page - 1) * PageSize;

    public static bool TryRead(HttpRequest request, out PageRequest page, out ValidationProblem? problem)
    {
        var errors = new ValidationErrors();
        var number = Read(request, "page", 1, errors);
        var size = Read(request, "pageSize", 20, errors);
        errors.Range("page", number, 1, MaxPage);
        errors.Range("pageSize", size, 1, MaxPageSize);
        page = new PageRequest(number, size);
        problem = errors.IsEmpty ? null : TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request is not valid.");
        return problem is null;
    }

    private static int Read(HttpRequest request, string name, int fallback, ValidationErrors errors)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return fallback;
        }
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        errors.Add(name, $"'{name}' must be a whole number.");
        return fallback;
    }
}

/// <summary>
/// The one way a store reads rows and counts a list: the page query selects <c>count(*) OVER ()</c> as its last
/// column, so one round trip gives the page and the total; only a page past the end (no row to carry the count)
/// asks for the count on its own.
/// </summary>
public static class SqlRows
{
    public static async Task<List<T>> ReadAllAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var items = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(read(reader));
        }
        return items;
    }

    public static async Task<Paged<T>> ReadPageAsync<T>(this NpgsqlCommand command, PageRequest page, Func<NpgsqlDataReader, T> read, Func<CancellationToken, Task<long>> countPastTheEnd, CancellationToken ct)
    {
        long total = 0;
        var items = await command.ReadAllAsync(reader =>
        {
            total = reader.GetInt64(reader.FieldCount - 1);
            return read(reader);
        }, ct);
        if (items.Count == 0 && page.Page > 1)
        {
            total = await countPastTheEnd(ct);
        }
        return new Paged<T>(items, page.Page, page.PageSize, total);
    }
}
