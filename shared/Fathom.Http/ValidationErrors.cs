namespace Fathom.Http;

/// <summary>A request body that checks itself; the binding answers 400 with every error at once.</summary>
public interface IValidatable
{
    void Validate(ValidationErrors errors);
}

public sealed class ValidationErrors
{
    /// <summary>
    /// Fields reported at most: a body of 100,000 bad array items must not get an answer listing each of them (an
    /// answer many times the size of the request). The rest are counted under <see cref="MoreKey"/>.
    /// </summary>
    public const int MaxFields = 50;

    public const string MoreKey = "more";

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private int _omitted;

    public bool IsEmpty => _errors.Count == 0 && _omitted == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            if (_errors.Count >= MaxFields)
            {
                _omitted++;
                return;
            }
            _errors[field] = list = [];
        }
        if (list.Count < MaxFields)
        {
            list.Add(message);
        }
    }

    public void Text(string field, string? value, int min, int max)
    {
        var length = value?.Trim().Length ?? 0;
        if (min > 0 && length == 0)
        {
            Add(field, $"'{field}' is required.");
        }
        else if (length < min || length > max)
        {
            Add(field, $"'{field}' must be {min} to {max} characters long.");
        }
    }

    public void Range(string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(field, $"'{field}' must be between {min} and {max}.");
        }
    }

    public void OneOf(string field, string? value, params string[] allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            Add(field, $"'{field}' must be one of: {string.Join(", ", allowed)}.");
        }
    }

    public Dictionary<string, string[]> ToDictionary()
    {
        var errors = _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
        if (_omitted > 0)
        {
            errors[MoreKey] = [$"{_omitted:N0} more problems are not listed; fix these first."];
        }
        return errors;
    }
}
