using Fathom.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Fathom.Identity;

public static class IdentityRegistration
{
    /// <summary>Token and API key authentication for functions at <c>AuthorizationLevel.User</c>.</summary>
    public static TBuilder AddCallerAuthentication<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
        builder.Services.AddSingleton<SigningKeys>();
        // AddAuthentication() without what it adds for cookie and remote schemes: data protection, whose XML key ring
        // would link System.Private.Xml and EncryptedXml into every app (2 MB of Auth's binary, rehydrated at every cold
        // start) for a bearer scheme that never protects data (bench/ANALYSIS.md, section 4).
        builder.Services.AddAuthenticationCore(o => o.DefaultScheme = CallerAuthenticationHandler.SchemeName);
        builder.Services.AddWebEncoders();
        builder.Services.TryAddSingleton(TimeProvider.System);
        new AuthenticationBuilder(builder.Services)
            .AddScheme<AuthenticationSchemeOptions, CallerAuthenticationHandler>(CallerAuthenticationHandler.SchemeName, null);
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
/// endpoint's <see cref="IRequiredScopeMetadata"/> (a function's comes from its <c>[RequiredScope]</c>), else GET/HEAD need
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
        var needed = http?.GetEndpoint()?.Metadata.GetMetadata<IRequiredScopeMetadata>()?.Scope ?? (http is null || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? ApiKeyScopes.Read : ApiKeyScopes.Write);
        if (user.HasClaim(CallerClaims.Scope, needed) || (needed == ApiKeyScopes.Read && user.HasClaim(CallerClaims.Scope, ApiKeyScopes.Write)))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
