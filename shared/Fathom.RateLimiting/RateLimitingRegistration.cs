using Fathom.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fathom.RateLimiting;

public static class RateLimitingRegistration
{
    /// <summary>Per-caller and per-IP limits on every HTTP function of the app, shared across replicas through Redis.</summary>
    public static TBuilder AddRateLimiting<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddMetrics();
        builder.Services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>();
        builder.Services.AddSingleton<RateLimitingMiddleware>();
        // Redis itself is connected at start by the host's warm-up (Fathom.Redis's RedisWarmUp), so the first calls
        // after a scale from zero find a connection within the limiter's short wait instead of passing unlimited.
        // The host runs it once the caller is known (IAfterAuthenticationMiddleware): limits are per user or API key.
        builder.Services.AddSingleton<IAfterAuthenticationMiddleware>(sp => sp.GetRequiredService<RateLimitingMiddleware>());
        return builder;
    }
}
