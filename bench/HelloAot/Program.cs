// The smallest ASP.NET Core app that answers HTTP: the cold-start floor the function apps are compared with.
var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "Hello from Native AOT");
app.Run();
