using System.Diagnostics.Metrics;
using System.Globalization;
using Fathom.Http;
using Fathom.Identity;
using Fathom.Redis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fathom.RateLimiting;

/// <summary>
/// Runs after authentication for every HTTP function call: picks the route group's rule, spends one permit
/// from the caller's budget (user or API key) and the client IP's budget together, and answers 429 with
/// <c>Retry-After</c> when either is empty. Endpoints that take credentials but are not functions (MCP) are limited
/// the same way; health and metrics endpoints pass freely.
/// </summary>
public sealed partial class RateLimitingMiddleware : IAfterAuthenticationMiddleware
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);

    private readonly RedisConnections _redis;
    private readonly RateLimitingOptions _options;
    private readonly RateLimitRule[] _rulesLongestFirst;
    private readonly List<System.Net.IPNetwork> _trustedProxies;
    private readonly TimeProvider _time;
    private readonly ILogger<RateLimitingMiddleware> _logger;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _failedOpen;

    /// <summary>When the last fail-open warning was written (ticks); an outage would otherwise log once per request.</summary>
    private long _lastWarningTicks;

    public RateLimitingMiddleware(RedisConnections redis, IOptions<RateLimitingOptions> options, TimeProvider time, IMeterFactory meters, ILogger<RateLimitingMiddleware> logger)
    {
        _redis = redis;
        _options = options.Value;
        _rulesLongestFirst = [.. _options.Rules.OrderByDescending(r => r.PathPrefix.TrimEnd('/').Length)];
        if (!ClientAddress.TryParseNetworks(_options.TrustedProxies, out _trustedProxies, out var bad))
        {
            // RateLimitingOptionsValidator stops the app at start-up first; this is for a middleware built without it.
            throw new InvalidOperationException($"RateLimiting:TrustedProxies: '{bad}' is not an IP address or a CIDR network.");
        }
        _time = time;
        _logger = logger;
        var meter = meters.Create("Fathom.RateLimiting");
        _rejected = meter.CreateCounter<long>("fathom.ratelimit.rejected", description: "Calls refused with 429.");
        _failedOpen = meter.CreateCounter<long>("fathom.ratelimit.fail_open", description: "Calls let through unlimited because Redis could not be asked.");
    }

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!_options.Enabled || !IsLimited(http.GetEndpoint()))
        {
            await next(http);
            return;
        }

        var (rule, group) = Match(http.Request.Path);
        var budgets = Budgets(http, rule, group);
        if (budgets.Count == 0)
        {
            await next(http);
            return;
        }

        RateDecision? decision;
        Exception? failure = null;
        try
        {
            decision = await AcquireAsync(budgets, http.RequestAborted);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            decision = null;
            failure = ex;
        }

        if (decision is null)
        {
            // Fail open: Redis holds the budgets, and without it there is no shared count to check. Refusing
            // every call would turn a Redis outage into an outage of every app, while letting calls through
            // leaves the apps as protected as they are without limits for as long as Redis is away.
            FailedOpen(failure);
            await next(http);
            return;
        }
        if (decision.Value.Allowed)
        {
            await next(http);
            return;
        }

        var denied = budgets[decision.Value.DeniedBy];
        var seconds = (long)Math.Max(1, Math.Ceiling(decision.Value.RetryAfter.TotalSeconds));
        var who = denied.Key.Contains(":ip:", StringComparison.Ordinal) ? "this client address" : "this caller";
        _rejected.Add(1, new KeyValuePair<string, object?>("budget", who == "this caller" ? "caller" : "ip"));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Problems.WriteAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"Slow down: {who} may make {denied.PermitsPerMinute} calls a minute to {group} (bursts of {denied.Burst}). Try again in {seconds} s.");
    }

    /// <summary>
    /// Functions, and any other endpoint that takes credentials (MCP's protocol endpoint): what a caller can call.
    /// Health, metrics and anonymous metadata documents are not limited.
    /// </summary>
    private static bool IsLimited(Endpoint? endpoint)
        => endpoint?.Metadata is { } metadata
           && (metadata.GetMetadata<IHttpFunctionMetadata>() is not null
               || (metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>() is not null && metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null));

    /// <summary>The decision, or null when Redis is known to be down.</summary>
    private async Task<RateDecision?> AcquireAsync(IReadOnlyList<RateBudget> budgets, CancellationToken ct)
    {
        var connection = await _redis.GetAsync().WaitAsync(_options.RedisTimeout, _time, ct);
        if (!connection.IsConnected)
        {
            // Known to be down: asking would wait out the client's whole backlog timeout on every call.
            return null;
        }
        return await RedisRateLimiter.AcquireAsync(connection.GetDatabase(), budgets).WaitAsync(_options.RedisTimeout, _time, ct);
    }

    private (RateLimitRule Rule, string Group) Match(PathString path)
    {
        foreach (var rule in _rulesLongestFirst)
        {
            var prefix = rule.PathPrefix.TrimEnd('/');
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return (rule, prefix.ToLowerInvariant());
            }
        }
        // No rule: the default limits, with a budget per app area (/api/tasks, /api/users...), so that a busy
        // page polling one app does not use up a caller's calls to the others.
        var segments = (path.Value ?? "/").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return (_options.Default, "/" + string.Join('/', segments.Take(2)).ToLowerInvariant());
    }

    private List<RateBudget> Budgets(HttpContext http, RateLimitRule rule, string group)
    {
        var budgets = new List<RateBudget>(2);
        var prefix = $"{_options.KeyPrefix}:{group}";
        if (http.User.Identity?.IsAuthenticated == true)
        {
            var caller = http.User.FindFirst(CallerClaims.ApiKeyId) is { } key ? $"key:{key.Value}"
                : http.User.FindFirst(CallerClaims.Subject) is { } sub ? $"user:{sub.Value}"
                : null;
            if (caller is not null)
            {
                budgets.Add(new RateBudget($"{prefix}:{caller}", rule.PermitsPerMinute, rule.Burst));
            }
        }
        if (ClientAddress.Resolve(http, _trustedProxies) is { } address)
        {
            budgets.Add(new RateBudget($"{prefix}:ip:{ClientAddress.BudgetName(address)}",
                rule.IpPermitsPerMinute ?? rule.PermitsPerMinute, rule.IpBurst ?? rule.Burst));
        }
        return budgets;
    }

    private void FailedOpen(Exception? ex)
    {
        _failedOpen.Add(1);
        var now = _time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastWarningTicks);
        if (now - last >= WarningInterval.Ticks && Interlocked.CompareExchange(ref _lastWarningTicks, now, last) == last)
        {
            LogFailedOpen(_logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limits not enforced: Redis unavailable (calls pass unlimited until it is back; logged at most every 10 s)")]
    private static partial void LogFailedOpen(ILogger logger, Exception? ex);
}
