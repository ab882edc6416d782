namespace Fathom.Http;

/// <summary>
/// Endpoint metadata of an HTTP function (the host adds the function's descriptor, which is one), so a library tells
/// functions from the host's own endpoints (health, metrics, OpenAPI) without the host's types.
/// </summary>
public interface IHttpFunctionMetadata
{
    /// <summary>The function's name (<c>[Function("...")]</c>).</summary>
    string Name { get; }
}
