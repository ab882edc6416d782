using Fathom.Functions.Configuration;
using Microsoft.AspNetCore.Builder;

namespace Fathom.Functions;

/// <summary>Entry point of a function app, named as in the isolated worker.</summary>
public static class FunctionsApplication
{
    public static FunctionsApplicationBuilder CreateBuilder(string[] args)
    {
        // The slim builder keeps start-up cheap: scale-from-zero pays it on every first request.
        var web = WebApplication.CreateSlimBuilder(args);
        HostConfiguration.AddHostFiles(web.Configuration, web.Environment.ContentRootPath);
        return new FunctionsApplicationBuilder(web);
    }
}
