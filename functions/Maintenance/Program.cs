using Fathom.Functions;
using Fathom.Knowledge.Stores;
using Maintenance.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddKnowledgeStores();
builder.AddMaintenance();
builder.AddGeneratedFunctions();
builder.Build().Run();
