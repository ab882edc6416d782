using Fathom.Functions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fathom.RateLimiting;

public static class RateLimitingRegistration
{
    /// <summary>Per-caller and per-IP limits on every HTTP function of the app, shared across replicas through Redis.</summary>
    public static FunctionsApplicationBuilder AddRateLimiting(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>();
        builder.Services.AddSingleton<RateLimitingMiddleware>();
        builder.Services.AddHostedService<RedisWarmup>();
        builder.UseAfterAuthentication(app =>
        {
            var middleware = app.ApplicationServices.GetRequiredService<RateLimitingMiddleware>();
            app.Use((http, next) => middleware.InvokeAsync(http, next));
        });
        return builder;
    }
}
