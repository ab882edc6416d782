using Fathom.Functions;
using Fathom.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Auth.Functions;

public static class AccountsRegistration
{
    public static FunctionsApplicationBuilder AddAccounts(this FunctionsApplicationBuilder builder)
    {
        // Auth is the one app that signs: without a private key it must not start.
        builder.Services.AddOptions<AuthOptions>()
            .Validate(o => o.SigningKeys.Count > 0, "Auth signs tokens: set Auth__SigningKeys__0__Id and Auth__SigningKeys__0__PrivateKeyPem.")
            .ValidateOnStart();
        builder.Services.AddOptions<LockoutOptions>().BindConfiguration(LockoutOptions.Section)
            .Validate(o => o.MaxFailures >= 1, "Auth:Lockout:MaxFailures must be at least 1.")
            .Validate(o => o.Duration > TimeSpan.Zero && o.MaxDuration >= o.Duration, "Auth:Lockout:Duration must be positive and at most Auth:Lockout:MaxDuration.")
            .ValidateOnStart();
        builder.SetDefault("Auth:PurgeSchedule", PurgeExpiredSessions.Schedule);
        builder.Services.AddSingleton<PasswordHasher>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<TokenRevocations>();
        builder.Services.AddSingleton<PublishedKeys>();
        builder.Services.AddSingleton<AccountStore>();
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AuthJson.Default));
        return builder;
    }
}
