using Fathom.Connections;
using Fathom.Connections.Entra;
using Fathom.Functions.Configuration;
using Fathom.Functions.Hosting;
using Fathom.Functions.Http;
using Fathom.Functions.OpenApi;
using Fathom.Functions.Middleware;
using Fathom.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fathom.Functions;

/// <summary>
/// Collects an app's functions and services, then builds the ASP.NET Core app that runs them. An
/// <see cref="IHostApplicationBuilder"/> (as eShop's ServiceDefaults extend one), so shared libraries register
/// themselves without referencing the host.
/// </summary>
public sealed class FunctionsApplicationBuilder : IHostApplicationBuilder
{
    private readonly WebApplicationBuilder _web;
    private readonly List<FunctionDescriptor> _functions = [];

    internal FunctionsApplicationBuilder(WebApplicationBuilder web)
    {
        _web = web;
        var jobHost = web.Configuration.GetSection(HostConfiguration.JobHostSection);
        web.Services.AddOptions<FunctionsHostOptions>().Bind(jobHost).ValidateOnStart();
        web.Services.AddSingleton<IValidateOptions<FunctionsHostOptions>, FunctionsHostOptionsValidator>();
        web.Services.TryAddSingleton(TimeProvider.System);
        // Before the warm-up, so that a passwordless app that cannot get a token stops with that error first.
        web.Services.AddEntraSignIn(web.Configuration);
        web.Services.AddSingleton<RedisConnections>();
        web.Services.AddSingleton<IWarmUp, RedisWarmUp>();
        web.Services.AddHostedService<ConnectionWarmUp>();
        web.Services.AddMetricsEndpoint();
        web.AddTracing();
        web.Logging.AddConfiguration(jobHost.GetSection("logging"));
        web.Logging.AddConsoleFormat(web.Configuration);
        web.AddHttpPipelineServices();
    }

    public IServiceCollection Services => _web.Services;

    public IConfigurationManager Configuration => _web.Configuration;

    public IHostEnvironment Environment => _web.Environment;

    public ILoggingBuilder Logging => _web.Logging;

    public IMetricsBuilder Metrics => _web.Metrics;

    IDictionary<object, object> IHostApplicationBuilder.Properties => ((IHostApplicationBuilder)_web).Properties;

    void IHostApplicationBuilder.ConfigureContainer<TContainerBuilder>(IServiceProviderFactory<TContainerBuilder> factory, Action<TContainerBuilder>? configure)
        => ((IHostApplicationBuilder)_web).ConfigureContainer(factory, configure);

    public IWebHostBuilder WebHost => _web.WebHost;

    /// <summary>Called by the generated <c>AddGeneratedFunctions()</c>; keeps only the functions this process may run.</summary>
    public FunctionsApplicationBuilder AddFunctions(IEnumerable<FunctionDescriptor> functions)
    {
        var allowed = _web.Configuration.GetSection($"{HostConfiguration.JobHostSection}:functions").Get<string[]>() ?? [];
        foreach (var declared in functions)
        {
            if (allowed.Length > 0 && !allowed.Contains(declared.Name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            var function = declared.ResolveSettings(Resolve);
            _functions.Add(function);
            function.Register(_web.Services);
        }
        return this;
    }

    /// <summary>A <c>%Name%</c> binding expression's setting, as in Azure; any other value as it is.</summary>
    private string Resolve(string value)
    {
        if (value.Length < 3 || value[0] != '%' || value[^1] != '%')
        {
            return value;
        }
        var name = value[1..^1];
        return _web.Configuration[name] is { Length: > 0 } resolved
            ? resolved
            : throw new InvalidOperationException($"The setting '{name}' used by a trigger ('{value}') is not set.");
    }

    /// <summary>A setting's value when nothing else (host.json, local.settings.json, environment) sets it.</summary>
    public FunctionsApplicationBuilder SetDefault(string name, string value)
    {
        var sources = (IList<IConfigurationSource>)_web.Configuration.Sources;
        sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = [new(name, value)] });
        return this;
    }

    public WebApplication Build()
    {
        var functions = _functions.ToArray();
        _web.Services.AddSingleton(new FunctionCatalog(functions));
        _web.Services.AddFunctionPipeline();
        var app = _web.Build();
        app.UseHttpPipeline();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        foreach (var function in functions)
        {
            function.Map(app);
        }
        app.MapOpenApiDocument(functions.OfType<HttpFunctionDescriptor>().ToArray());
        app.Lifetime.ApplicationStarted.Register(() => FunctionTable.Print(app, functions));
        return app;
    }
}

/// <summary>The functions this process runs.</summary>
public sealed record FunctionCatalog(IReadOnlyList<FunctionDescriptor> Functions);
