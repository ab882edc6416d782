using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Fathom.RateLimiting;
using Knowledge.Functions;
using Knowledge.Functions.Mcp;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddGeneratedFunctions();
builder.AddKnowledgeStores();
builder.AddCallerAuthentication();
builder.AddRateLimiting();
builder.AddKnowledgeApi();
builder.AddKnowledgeMcp();
builder.Build().MapKnowledgeMcp().Run();
