using Fathom.Functions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fathom.Identity;

public static class IdentityRegistration
{
    /// <summary>Token and API key authentication for functions at <see cref="AuthorizationLevel.User"/>.</summary>
    public static FunctionsApplicationBuilder AddCallerAuthentication(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
        builder.Services.AddSingleton<SigningKeys>();
        builder.Services.AddAuthentication(CallerAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, CallerAuthenticationHandler>(CallerAuthenticationHandler.SchemeName, null);
        builder.Services.AddSingleton<IAuthorizationHandler, ScopeAllowsMethodHandler>();
        builder.Services.AddAuthorizationBuilder().SetDefaultPolicy(new AuthorizationPolicyBuilder(CallerAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .AddRequirements(new ScopeAllowsMethodRequirement())
            .Build());
        return builder;
    }
}

/// <summary>
/// API keys carry scopes: "write" allows everything, "read" only calls that change nothing. What a call needs is the
/// endpoint's <see cref="RequiredScopeAttribute"/> (a function's comes from its method), else GET/HEAD need
/// "read" and other methods "write". Access tokens carry no scope limits.
/// </summary>
public sealed class ScopeAllowsMethodRequirement : IAuthorizationRequirement;

internal sealed class ScopeAllowsMethodHandler : AuthorizationHandler<ScopeAllowsMethodRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeAllowsMethodRequirement requirement)
    {
        var http = context.Resource as HttpContext;
        var user = context.User;
        if (user.FindFirst(CallerClaims.ApiKeyId) is null)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        var needed = http?.GetEndpoint()?.Metadata.GetMetadata<RequiredScopeAttribute>()?.Scope ?? (http is null || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? RequiredScopeAttribute.Read : RequiredScopeAttribute.Write);
        if (user.HasClaim(CallerClaims.Scope, needed) || (needed == RequiredScopeAttribute.Read && user.HasClaim(CallerClaims.Scope, RequiredScopeAttribute.Write)))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
