using Fathom.Functions;
using Fathom.Functions.Tests.Worker;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddGeneratedFunctions();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, WorkerJson.Default));
builder.Build().Run();
