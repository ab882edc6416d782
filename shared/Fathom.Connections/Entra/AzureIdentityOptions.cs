namespace Fathom.Connections.Entra;

/// <summary>
/// Passwordless Azure: with <c>AzureIdentity__Enabled=true</c> every Postgres and Redis connection signs in with a
/// Microsoft Entra token from <c>DefaultAzureCredential</c> (workload identity in AKS) instead of a password.
/// </summary>
public sealed class AzureIdentityOptions
{
    public const string Section = "AzureIdentity";

    /// <summary>The setting's environment-variable name, as error messages and docs spell it.</summary>
    public const string EnabledSetting = "AzureIdentity__Enabled";

    public const string RedisUserNameSetting = "AzureIdentity__RedisUserName";

    public bool Enabled { get; set; }

    /// <summary>Azure Cache for Redis: the user name is the managed identity's object (principal) id.</summary>
    public string? RedisUserName { get; set; }

    /// <summary>
    /// A token is replaced this long before it expires (or at half its life, if that comes sooner), so a connection
    /// never opens or re-authenticates with a token about to lapse. Entra tokens live 60–90 minutes.
    /// </summary>
    public TimeSpan RefreshMargin { get; set; } = DefaultRefreshMargin;

    /// <summary>The default <see cref="RefreshMargin"/>, also for token users built outside the container.</summary>
    public static readonly TimeSpan DefaultRefreshMargin = TimeSpan.FromMinutes(10);

    /// <summary>How long Npgsql keeps a password before asking again (its periodic password provider); below <see cref="RefreshMargin"/>.</summary>
    public TimeSpan PasswordRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Wait before retrying after a failed refresh (the current token stays in use until it expires).</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(10);
}
