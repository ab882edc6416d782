using Assistants.Functions;
using Assistants.Functions.Mcp;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Fathom.Knowledge.Stores.Answers;
using Fathom.RateLimiting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddGeneratedFunctions();
builder.AddKnowledgeStores();
builder.AddCallerAuthentication();
builder.AddRateLimiting();
builder.AddAnswers();
builder.AddOpenAIApi();
builder.AddKnowledgeMcp();
builder.Build().MapKnowledgeMcp().Run();
