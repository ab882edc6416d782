using Fathom.Data;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.RateLimiting;
using Fathom.Knowledge.Stores;
using Posts.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddGeneratedFunctions();
builder.AddSystemDatabase();
builder.AddCallerAuthentication();
builder.AddRateLimiting();
builder.AddPostStore();
builder.AddKnowledgeIngestQueue();
builder.Build().Run();
