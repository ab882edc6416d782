using Microsoft.AspNetCore.Http;

namespace Fathom.Http;

/// <summary>
/// Middleware for every HTTP request once the caller is authenticated (<c>HttpContext.User</c> set, endpoint chosen)
/// and before authorization and the function run. A library registers one as a service
/// (<c>services.AddSingleton&lt;IAfterAuthenticationMiddleware&gt;(...)</c>; rate limiting does) and the host puts
/// every registered one, in registration order, into its pipeline at that point. A service rather than a call on the
/// host's builder, so a library needs only <c>IServiceCollection</c> and no reference to the host; an
/// <c>IStartupFilter</c> cannot do it, as it wraps the whole pipeline, outside routing and authentication.
/// </summary>
public interface IAfterAuthenticationMiddleware : IMiddleware;
