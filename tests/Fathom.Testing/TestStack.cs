namespace Fathom.Testing;

/// <summary>
/// Connection settings of the real servers started by <c>scripts/stack.sh up</c> (read from
/// <c>.fathom/stack.env</c>; environment variables of the same names win).
/// </summary>
public static class TestStack
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Settings = new(Load);

    public static string Postgres => Get("PostgresConnection");

    public static string Redis => Get("RedisConnection");

    public static string VectorStore => Get("VectorStoreConnection");

    /// <summary>
    /// Rate limits high enough for tests that poll, with budgets of their own (all tests call from 127.0.0.1,
    /// which would otherwise share one per-IP budget). Rate limiting itself is tested with its real limits.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> GenerousRateLimits() =>
    [
        new("RateLimiting__KeyPrefix", $"fathom:test:{Guid.NewGuid():N}"),
        new("RateLimiting__Default__PermitsPerMinute", "100000"),
        new("RateLimiting__Default__Burst", "10000"),
    ];

    private static string Get(string name)
        => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
            : Settings.Value.TryGetValue(name, out var fromFile) ? fromFile
            : throw new InvalidOperationException($"{name} is not set: start the stack with 'scripts/stack.sh up' (or './fathom test').");

    private static Dictionary<string, string> Load()
    {
        var file = Path.Combine(RepoPaths.Root, ".fathom", "stack.env");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(file))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    settings[line[..eq]] = line[(eq + 1)..];
                }
            }
        }
        return settings;
    }
}
