using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Fathom.RateLimiting;
using Knowledge.Functions;
using Knowledge.Functions.Operations;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddGeneratedFunctions();
builder.AddKnowledgeStores();
builder.AddCallerAuthentication();
builder.AddRateLimiting();
builder.AddKnowledgeApi();
builder.AddOperations();
builder.Build().Run();
