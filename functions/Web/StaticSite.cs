using Fathom.Functions;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Web.Functions;

/// <summary>The files under wwwroot/ beside the binary (copied there by the build and the publish).</summary>
public sealed class StaticSite
{
    private readonly FileExtensionContentTypeProvider _types = new();

    public StaticSite(IHostEnvironment environment)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        Files = new PhysicalFileProvider(Directory.Exists(root) ? root : Path.Combine(environment.ContentRootPath, "wwwroot"));
    }

    public IFileProvider Files { get; }

    public string ContentType(string path) => _types.TryGetContentType(path, out var type) ? type : "application/octet-stream";
}

public static class StaticSiteRegistration
{
    public static FunctionsApplicationBuilder AddStaticSite(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StaticSite>();
        return builder;
    }
}
