using Auth.Functions;
using Fathom.Data;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.RateLimiting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddSystemDatabase();
builder.AddCallerAuthentication();
builder.AddRateLimiting();
builder.AddAccounts();
builder.AddGeneratedFunctions();
builder.Build().Run();
