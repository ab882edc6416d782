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

/// <summary>API keys carry scopes: "read" allows safe methods, "write" the rest. Access tokens carry no scope limits.</summary>
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
        var needed = http is null || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? "read" : "write";
        if (user.HasClaim(CallerClaims.Scope, needed) || (needed == "read" && user.HasClaim(CallerClaims.Scope, "write")))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
