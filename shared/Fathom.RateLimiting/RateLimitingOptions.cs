using Microsoft.Extensions.Options;

namespace Fathom.RateLimiting;

/// <summary>Settings under <c>RateLimiting</c> (<c>RateLimiting__Rules__0__PathPrefix</c> and so on).</summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The proxies whose <c>X-Forwarded-For</c> is believed: addresses or CIDR networks, comma-separated
    /// (<c>127.0.0.1</c> for the local gateway, the ingress controller's pod network in a cluster). A call from
    /// anywhere else is counted by its own address, whatever header it sends: anyone can write one.
    /// </summary>
    public string TrustedProxies { get; set; } = "";

    /// <summary>Start of every Redis key; lets environments (or test runs) share one Redis without sharing budgets.</summary>
    public string KeyPrefix { get; set; } = "fathom:ratelimit";

    /// <summary>How long a request waits for Redis before it is let through unlimited.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>For calls that match no rule; each app's routes (<c>/api/tasks</c>, ...) get their own budget under it.</summary>
    public RateLimitRule Default { get; set; } = new() { PermitsPerMinute = 600, Burst = 100 };

    /// <summary>Route groups with limits of their own; the longest matching <see cref="RateLimitRule.PathPrefix"/> wins.</summary>
    public List<RateLimitRule> Rules { get; set; } = [];
}

/// <summary>
/// One route group's limits. The caller's budget (user or API key) allows bursts of <see cref="Burst"/> calls
/// and refills at <see cref="PermitsPerMinute"/>; the client IP's budget, shared by every caller behind that
/// address and the only one anonymous calls have, uses the <c>Ip</c> values (the caller's when not set).
/// </summary>
public sealed class RateLimitRule
{
    public string PathPrefix { get; set; } = "";

    public int PermitsPerMinute { get; set; }

    public int Burst { get; set; }

    public int? IpPermitsPerMinute { get; set; }

    public int? IpBurst { get; set; }
}

internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        var errors = new List<string>();
        Check(options.Default, "RateLimiting:Default", requirePrefix: false, errors);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            Check(options.Rules[i], $"RateLimiting:Rules:{i}", requirePrefix: true, errors);
        }
        if (!ClientAddress.TryParseNetworks(options.TrustedProxies, out _, out var bad))
        {
            errors.Add($"RateLimiting:TrustedProxies: '{bad}' is not an IP address or a CIDR network (e.g. 10.0.0.0/8).");
        }
        if (string.IsNullOrWhiteSpace(options.KeyPrefix))
        {
            errors.Add("RateLimiting:KeyPrefix must not be empty.");
        }
        if (options.RedisTimeout <= TimeSpan.Zero || options.RedisTimeout > TimeSpan.FromSeconds(10))
        {
            errors.Add("RateLimiting:RedisTimeout must be between 00:00:00.001 and 00:00:10.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(RateLimitRule rule, string where, bool requirePrefix, List<string> errors)
    {
        if (requirePrefix && !rule.PathPrefix.StartsWith('/'))
        {
            errors.Add($"{where}:PathPrefix must start with '/' (for example /api/auth/login).");
        }
        if (rule.PermitsPerMinute < 1 || rule.IpPermitsPerMinute is < 1)
        {
            errors.Add($"{where}: PermitsPerMinute (and IpPermitsPerMinute when set) must be at least 1.");
        }
        if (rule.Burst < 1 || rule.IpBurst is < 1)
        {
            errors.Add($"{where}: Burst (and IpBurst when set) must be at least 1.");
        }
    }
}
