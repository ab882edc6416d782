using Azure.Core;

namespace Fathom.Functions.Tests.Entra;

/// <summary>
/// Stands in for DefaultAzureCredential (there is no Azure here): records every scope asked for and hands out the next
/// of its tokens, each expiring <see cref="Lifetime"/> after the clock's now; or throws, when told to.
/// </summary>
public sealed class FakeTokenCredential(TimeProvider time, params string[] tokens) : TokenCredential
{
    private readonly List<string> _scopes = [];
    private int _issued;

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(60);

    public Exception? Failure { get; set; }

    public IReadOnlyList<string> RequestedScopes
    {
        get
        {
            lock (_scopes)
            {
                return [.. _scopes];
            }
        }
    }

    public int Issued => Volatile.Read(ref _issued);

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (_scopes)
        {
            _scopes.AddRange(requestContext.Scopes);
        }
        if (Failure is { } failure)
        {
            throw failure;
        }
        var index = Interlocked.Increment(ref _issued) - 1;
        return new AccessToken(tokens[Math.Min(index, tokens.Length - 1)], time.GetUtcNow() + Lifetime);
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
