using System.Security.Claims;

namespace Fathom.Identity;

public static class CallerClaims
{
    public const string Subject = "sub";
    public const string Scope = "scope";
    public const string TokenId = "jti";
    public const string ApiKeyId = "api_key_id";

    /// <summary>The signed-in user's id; functions at AuthorizationLevel.User always have one.</summary>
    public static Guid UserId(this ClaimsPrincipal principal)
        => Guid.TryParse(principal.FindFirst(Subject)?.Value, out var id)
            ? id
            : throw new InvalidOperationException("The caller is not authenticated.");
}
