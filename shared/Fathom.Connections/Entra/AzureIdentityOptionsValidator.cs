using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Fathom.Connections.Entra;

/// <summary>
/// Refuses to start when passwordless sign-in is on and a connection setting still holds a password (which would be
/// ignored, or fight the token), or when the Redis user name or the refresh timings are missing or inconsistent.
/// With the setting off nothing changes: connection strings are used as they are, with or without a password.
/// </summary>
public sealed class AzureIdentityOptionsValidator(IConfiguration configuration) : IValidateOptions<AzureIdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureIdentityOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        if (!AzureSignIn.IsSupported)
        {
            return ValidateOptionsResult.Fail(AzureSignIn.NotInThisBuild($"{AzureIdentityOptions.EnabledSetting} is true"));
        }
        var failures = new List<string>();
        foreach (var setting in ConnectionSettings.Postgres)
        {
            if (ConnectionSettings.Value(configuration, setting) is { } value && ConnectionSettings.PostgresHasPassword(value))
            {
                failures.Add(PasswordPresent(setting, EntraResource.Postgres(setting)));
            }
        }
        foreach (var setting in ConnectionSettings.Redis)
        {
            if (ConnectionSettings.Value(configuration, setting) is not { } value)
            {
                continue;
            }
            if (ConnectionSettings.RedisHasPassword(value))
            {
                failures.Add(PasswordPresent(setting, EntraResource.Redis(setting)));
            }
            if (string.IsNullOrWhiteSpace(options.RedisUserName))
            {
                failures.Add($"{AzureIdentityOptions.EnabledSetting} is true and {setting} is set, but {AzureIdentityOptions.RedisUserNameSetting} " +
                    "is not: Azure Cache for Redis takes the managed identity's object id as the user name.");
            }
        }
        if (options.RetryInterval <= TimeSpan.Zero || options.PasswordRefreshInterval <= TimeSpan.Zero)
        {
            failures.Add("AzureIdentity__PasswordRefreshInterval and AzureIdentity__RetryInterval must be positive.");
        }
        if (options.PasswordRefreshInterval >= options.RefreshMargin)
        {
            // Npgsql keeps a password for PasswordRefreshInterval: a token fetched just before its refresh time must
            // still be valid that long, or a connection opened at the end of the interval would be refused.
            failures.Add("AzureIdentity__PasswordRefreshInterval must be shorter than AzureIdentity__RefreshMargin.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string PasswordPresent(string setting, EntraResource resource)
        => $"{AzureIdentityOptions.EnabledSetting} is true but {setting} has a password: remove it; {resource.Name} is signed in to " +
           $"with a Microsoft Entra token (scope {resource.Scope}) as the password.";
}
