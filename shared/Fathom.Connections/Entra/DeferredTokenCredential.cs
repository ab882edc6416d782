using Azure.Core;

namespace Fathom.Connections.Entra;

/// <summary>
/// Resolves the real credential on the first token request. Every app builds the Entra services (Redis connections
/// depend on them), but one that never switches passwordless on should not pay for constructing
/// DefaultAzureCredential at start: scale-from-zero pays start-up on every first request.
/// </summary>
internal sealed class DeferredTokenCredential(Func<TokenCredential> resolve) : TokenCredential
{
    private readonly Lazy<TokenCredential> _credential = new(resolve);

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => _credential.Value.GetToken(requestContext, cancellationToken);

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => _credential.Value.GetTokenAsync(requestContext, cancellationToken);
}
