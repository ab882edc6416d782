using System.Globalization;
using Fathom.Functions;
using Fathom.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Auth.Functions;

/// <summary>Answers shared by the sign-in functions.</summary>
public static class SessionResponses
{
    public static TokenResponse Tokens(HttpRequest req, IssuedAccessToken access, IssuedRefreshToken refresh, TimeSpan lifetime)
    {
        NoStore(req);
        return new(access.Token, refresh.Token, "Bearer", (long)lifetime.TotalSeconds);
    }

    /// <summary>A response carrying a secret (tokens, a new API key) must not be kept by any cache (RFC 6749 §5.1).</summary>
    public static void NoStore(HttpRequest req)
    {
        req.HttpContext.Response.Headers.CacheControl = "no-store";
        req.HttpContext.Response.Headers.Pragma = "no-cache";
    }

    /// <summary>One answer for unknown email and wrong password alike, so it does not tell which.</summary>
    public static ProblemHttpResult BadCredentials()
        => Problems.Result(StatusCodes.Status401Unauthorized, "Sign-in failed", "The email or password is not right.");

    public static ProblemHttpResult Locked(HttpRequest req, DateTimeOffset? until, DateTimeOffset now)
    {
        var seconds = (long)Math.Max(1, Math.Ceiling(((until ?? now) - now).TotalSeconds));
        req.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Result(StatusCodes.Status429TooManyRequests, "Too many failed sign-ins",
            $"This account is locked after repeated wrong passwords. Try again in {seconds} s.");
    }

    public static ProblemHttpResult KeysNeedSignIn()
        => Problems.Result(StatusCodes.Status403Forbidden, "Sign in to manage API keys",
            "API keys cannot list, create or revoke API keys (a leaked key must not be able to mint more); use a signed-in session.");
}
