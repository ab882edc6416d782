using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Fathom.Functions.Configuration;
using Fathom.Functions.Hosting;
using Fathom.Functions.Middleware;
using Fathom.Http;
using Fathom.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fathom.Functions.Http;

/// <summary>The HTTP side of the host: problem details, request ids, CORS, timeouts, auth levels, routes.</summary>
public static partial class HttpPipeline
{
    public const string RequestIdHeader = "X-Request-Id";
    public const string FunctionKeyHeader = "x-functions-key";

    internal static void AddHttpPipelineServices(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var jobHost = configuration.GetSection(HostConfiguration.JobHostSection);

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Extensions["requestId"] = ctx.HttpContext.TraceIdentifier;
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
        });
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<RedisExceptionHandler>();
        // After ASP.NET Core's writer, which it only stands in for.
        builder.Services.AddSingleton<IProblemDetailsWriter, FallbackProblemDetailsWriter>();
        // The core only: AddAuthentication() would add ASP.NET Core data protection too, which no Fathom app uses (tokens
        // are JWTs, keys are stored hashed) and whose XML key ring links System.Private.Xml into every binary.
        builder.Services.AddAuthenticationCore();
        builder.Services.AddAuthorization();
        var health = builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration("shutdown", sp => ActivatorUtilities.CreateInstance<ShutdownReadinessCheck>(sp), HealthStatus.Unhealthy, ["ready"]));
        if (configuration[RedisConnections.DefaultSetting] is not null)
        {
            health.Add(new HealthCheckRegistration("redis", sp => ActivatorUtilities.CreateInstance<RedisReadinessCheck>(sp), HealthStatus.Unhealthy, ["ready"], TimeSpan.FromSeconds(3)));
        }
        builder.Services.AddRequestTimeouts(o =>
        {
            var timeout = jobHost.GetValue<TimeSpan?>("functionTimeout") ?? TimeSpan.FromMinutes(5);
            o.DefaultPolicy = new RequestTimeoutPolicy { Timeout = timeout, TimeoutStatusCode = StatusCodes.Status504GatewayTimeout };
        });

        // Host.CORS from local.settings.json (or Host__CORS): a comma list of origins, or "*".
        var origins = (configuration["Host:CORS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.Services.AddCors(o => o.AddDefaultPolicy(policy =>
        {
            if (origins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(origins);
            }
            policy.AllowAnyHeader().AllowAnyMethod().WithExposedHeaders(RequestIdHeader, "Retry-After", "Location");
        }));

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = jobHost.GetValue<long?>("extensions:http:maxRequestBodySize") ?? 100 * 1024 * 1024;
        });

        // Host.LocalHttpPort (or --port) applies only when nothing else chose the address.
        var port = configuration["port"] ?? configuration["Host:LocalHttpPort"];
        if (port is not null && configuration["urls"] is null && configuration["http_ports"] is null)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{int.Parse(port, CultureInfo.InvariantCulture)}");
        }
    }

    internal static void UseHttpPipeline(this WebApplication app)
    {
        app.Use(AssignRequestIdAsync);
        app.Use(AddSecurityHeaders);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RefuseUnstorableTextAsync);
        app.UseCors();
        app.UseAuthentication();
        // Before authorization, so that calls refused there (bad or missing credentials) still pass the hooks.
        // Libraries hook in through the service (rate limiting does), needing no reference to the host's builder.
        foreach (var middleware in app.Services.GetServices<IAfterAuthenticationMiddleware>())
        {
            app.Use((http, next) => middleware.InvokeAsync(http, next));
        }
        app.UseAuthorization();
        app.UseRequestTimeouts();
    }

    internal static void MapHealthEndpoints(this WebApplication app)
    {
        // Liveness says only that the process answers; readiness checks the stores (tagged "ready").
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
    }

    internal static void MapHttpFunction(this WebApplication app, HttpFunctionDescriptor function)
    {
        var prefix = app.Services.GetRequiredService<IOptions<FunctionsHostOptions>>().Value.Extensions.Http.RoutePrefix.Trim('/');
        var pipeline = app.Services.GetRequiredService<FunctionPipeline>();
        // A RequestDelegate, not a lambda with typed parameters: minimal APIs' delegate inference is reflection, not AOT-safe.
        RequestDelegate invoke = http => HttpInvocation.RunAsync(pipeline, function, http);
        var endpoint = app.MapMethods(RouteOf(prefix, function), function.Methods, invoke)
            .WithName(function.Name)
            .WithMetadata(function);
        if (function.RequiredScope is { } scope)
        {
            endpoint.WithMetadata(new RequiredScopeAttribute(scope));
        }
        if (function.DescribeResults is { } describe)
        {
            // Only response metadata (ProducesResponseTypeMetadata); nothing in routing reads it, the OpenAPI document does.
            endpoint.Add(describe);
        }
        _ = function.AuthLevel switch
        {
            AuthorizationLevel.Anonymous => endpoint.AllowAnonymous(),
            AuthorizationLevel.User => endpoint.RequireAuthorization(),
            _ => endpoint.AddEndpointFilter(RequireFunctionKeyAsync),
        };
    }

    public static string RouteOf(string prefix, HttpFunctionDescriptor function)
    {
        var route = function.Route.Trim('/');
        return prefix.Length == 0 ? "/" + route : $"/{prefix}/{route}".TrimEnd('/');
    }

    /// <summary>A template scope, so JSON logs show "RequestId:&lt;id&gt;" as the scope's message rather than a type name.</summary>
    private static readonly Func<ILogger, string, IDisposable?> RequestScope = LoggerMessage.DefineScope<string>("RequestId:{RequestId}");

    private static async Task AssignRequestIdAsync(HttpContext http, RequestDelegate next)
    {
        var incoming = http.Request.Headers[RequestIdHeader].ToString();
        http.TraceIdentifier = incoming.Length is > 0 and <= 64 && incoming.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? incoming
            : Guid.NewGuid().ToString("N");
        http.Response.Headers[RequestIdHeader] = http.TraceIdentifier;
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Fathom.Functions.Http");
        using (RequestScope(logger, http.TraceIdentifier))
        {
            await next(http);
        }
    }

    /// <summary>
    /// On every response (API, files, errors, 404s): no MIME sniffing, no framing, no referrer. Set as the response
    /// starts, because the exception handler clears headers before it writes its problem details.
    /// </summary>
    private static Task AddSecurityHeaders(HttpContext http, RequestDelegate next)
    {
        http.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        }, http.Response);
        return next(http);
    }

    /// <summary>A NUL in the query, path or a header would reach Postgres as text it refuses: 400 naming where it was.</summary>
    private static async Task RefuseUnstorableTextAsync(HttpContext http, RequestDelegate next)
    {
        if (UnstorableText.FindInRequest(http.Request) is { } where)
        {
            await Problems.WriteAsync(http, StatusCodes.Status400BadRequest, "Unusable text", $"The {where} contains the NUL character (\\u0000), which cannot be stored.");
            return;
        }
        await next(http);
    }

    private static async ValueTask<object?> RequireFunctionKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = http.RequestServices.GetRequiredService<IConfiguration>()["FunctionsHost:Key"];
        var given = http.Request.Headers[FunctionKeyHeader].ToString();
        if (string.IsNullOrEmpty(given))
        {
            given = http.Request.Query["code"].ToString();
        }
        if (string.IsNullOrEmpty(expected) || !FixedTimeEquals(expected, given))
        {
            return Problems.Result(StatusCodes.Status401Unauthorized, "Function key required", "This function is for other Fathom apps; send the host key in x-functions-key.");
        }
        return await next(context);
    }

    private static bool FixedTimeEquals(string expected, string given)
        => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));
}
