using Fathom.Functions.Configuration;
using Microsoft.AspNetCore.Builder;

namespace Fathom.Functions;

/// <summary>Entry point of a function app, named as in the isolated worker.</summary>
public static class FunctionsApplication
{
    public static FunctionsApplicationBuilder CreateBuilder(string[] args)
    {
        // The slim builder keeps start-up cheap: scale-from-zero pays it on every first request. A function app never
        // reloads configuration, and the reload watcher walks the whole content root with inotify before the app
        // listens (≈250 ms from the repo root). Put first, so an explicit argument still wins.
        var web = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        HostConfiguration.AddHostFiles(web.Configuration, web.Environment.ContentRootPath);
        return new FunctionsApplicationBuilder(web);
    }
}
