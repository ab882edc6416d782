using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fathom.Connections.Entra;

public static class EntraRegistration
{
    /// <summary>
    /// The <c>AzureIdentity</c> options (validated at start), the credential and the token sources. The credential is a
    /// <see cref="TokenCredential"/> service, created on first use only, so tests register a fake and apps that never
    /// switch passwordless on never build one.
    /// </summary>
    public static IServiceCollection AddEntraSignIn(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureIdentityOptions>().Bind(configuration.GetSection(AzureIdentityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AzureIdentityOptions>, AzureIdentityOptionsValidator>();
        services.TryAddSingleton(_ => AzureSignIn.Credential($"{AzureIdentityOptions.EnabledSetting} is true"));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new EntraTokens(
            new DeferredTokenCredential(sp.GetRequiredService<TokenCredential>), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AzureIdentityOptions>>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<EntraRedisSignIn>();
        services.AddSingleton<IHostedService, EntraSignInCheck>();
        return services;
    }
}
