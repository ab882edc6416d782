using Fathom.Data;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.RateLimiting;
using Users.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddGeneratedFunctions();
builder.AddSystemDatabase();
builder.AddCallerAuthentication();
builder.AddRateLimiting();
builder.AddProfiles();
builder.Build().Run();
