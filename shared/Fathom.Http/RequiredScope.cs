namespace Fathom.Http;

/// <summary>The API-key scopes: "write" allows everything, "read" only calls that change nothing.</summary>
public static class ApiKeyScopes
{
    public const string Read = "read";
    public const string Write = "write";
}

/// <summary>
/// Endpoint metadata naming the API-key scope a call needs (the host adds it for a function declared with
/// <c>[RequiredScope]</c>); caller authorization reads it, as ASP.NET Core's authorization reads <c>IAuthorizeData</c>.
/// </summary>
public interface IRequiredScopeMetadata
{
    string Scope { get; }
}
