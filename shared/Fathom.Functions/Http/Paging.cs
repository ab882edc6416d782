using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fathom.Functions;

/// <summary>A page of a list; <c>total</c> counts every match so clients can draw a pager.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

/// <summary><c>?page=1&amp;pageSize=20</c>, checked: page ≥ 1, pageSize 1..100.</summary>
public readonly record struct PageRequest(int Page, int PageSize)
{
    public const int MaxPageSize = 100;

    public int Offset => (Page - 1) * PageSize;

    public static bool TryRead(HttpRequest request, out PageRequest page, out ValidationProblem? problem)
    {
        var errors = new ValidationErrors();
        var number = Read(request, "page", 1, errors);
        var size = Read(request, "pageSize", 20, errors);
        errors.Range("page", number, 1, 1_000_000);
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
