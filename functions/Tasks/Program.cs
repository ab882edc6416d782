using Fathom.Data;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.RateLimiting;
using Tasks.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddGeneratedFunctions();
builder.AddSystemDatabase();
builder.AddCallerAuthentication();
builder.AddRateLimiting();
builder.AddTaskStore();
builder.Build().Run();
