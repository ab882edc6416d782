using Fathom.Functions.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fathom.Functions.Hosting;

/// <summary>
/// Prints the functions this process runs once it listens, as <c>func start</c> does, with each HTTP function's
/// authorization level and, when it declares one, the API-key scope it needs (<c>(User; scope read)</c>). Tests read
/// this table to find every endpoint (tests/Fathom.Hostile.Tests), so keep its shape.
/// </summary>
internal static class FunctionTable
{
    public static void Print(WebApplication app, IReadOnlyList<FunctionDescriptor> functions)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
        var prefix = app.Services.GetRequiredService<IOptions<FunctionsHostOptions>>().Value.Extensions.Http.RoutePrefix.Trim('/');
        var table = new FunctionTableContext(address, prefix, app.Services.GetRequiredService<TimeProvider>());
        var lines = new List<string> { "", $"Functions ({app.Environment.ApplicationName}, {address}):", "" };
        foreach (var function in functions.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            lines.Add("        " + function.Name + ": " + function.Describe(table));
        }
        if (functions.Count == 0)
        {
            lines.Add("        (none: check AzureFunctionsJobHost__functions__N)");
        }
        lines.Add("");
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
    }
}
