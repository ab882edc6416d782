using Fathom.Functions;
using Microsoft.Extensions.DependencyInjection;

namespace Users.Functions;

public static class ProfilesRegistration
{
    public static FunctionsApplicationBuilder AddProfiles(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddOptions<ProfileCacheOptions>().BindConfiguration(ProfileCacheOptions.Section)
            .Validate(o => o.Ttl > TimeSpan.Zero && o.Timeout > TimeSpan.Zero, "Users:Cache:Ttl and Users:Cache:Timeout must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<ProfileCache>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, UsersJson.Default));
        return builder;
    }
}
