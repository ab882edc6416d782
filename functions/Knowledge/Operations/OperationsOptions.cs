using Microsoft.Extensions.Options;

namespace Knowledge.Functions.Operations;

/// <summary>Settings under <c>Operations</c>: who may see the operations page, and where app states come from.</summary>
public sealed class OperationsOptions
{
    /// <summary>
    /// Administrators, each a user id or an e-mail address (<c>Operations__Administrators__0=ada@example.org</c>).
    /// Empty means nobody: the operations API answers 403 to every signed-in caller.
    /// </summary>
    public List<string> Administrators { get; set; } = [];

    /// <summary>
    /// A health document in the local gateway's shape (<c>{"apps": {"Auth": "ready", "Ingestion": "failed: reason"}}</c>);
    /// locally the gateway's <c>/api/health</c>. Unset, the page says app states are not available.
    /// </summary>
    public Uri? HealthUrl { get; set; }
}

/// <summary>Checked at start, so a typo in an administrator fails the deployment instead of locking everyone out silently.</summary>
public sealed class OperationsOptionsValidator : IValidateOptions<OperationsOptions>
{
    public ValidateOptionsResult Validate(string? name, OperationsOptions options)
    {
        var bad = options.Administrators.Where(a => !Guid.TryParse(a, out _) && !LooksLikeEmail(a)).ToList();
        if (bad.Count > 0)
        {
            return ValidateOptionsResult.Fail($"Operations:Administrators must be user ids or e-mail addresses; not: {string.Join(", ", bad.Select(b => $"'{b}'"))}");
        }
        if (options.HealthUrl is { IsAbsoluteUri: false } or { Scheme: not ("http" or "https") })
        {
            return ValidateOptionsResult.Fail("Operations:HealthUrl must be an absolute http(s) URL.");
        }
        return ValidateOptionsResult.Success;
    }

    private static bool LooksLikeEmail(string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at < value.Length - 1 && !value.Any(char.IsWhiteSpace);
    }
}
