using Fathom.Functions;
using Fathom.Knowledge.Stores;
using Ingestion.Functions.Pipeline;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddGeneratedFunctions();
builder.AddKnowledgeStores();
builder.AddIngestionPipeline();
builder.Build().Run();
