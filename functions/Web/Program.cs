using Fathom.Functions;
using Web.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
// The UI owns the site root, so this app has no "api" prefix.
builder.Configuration["AzureFunctionsJobHost:extensions:http:routePrefix"] = "";
builder.AddGeneratedFunctions();
builder.AddStaticSite();
builder.Build().Run();
