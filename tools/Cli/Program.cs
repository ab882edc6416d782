using Fathom.Cli;

// fathom-cli migrate up [version] | migrate down <steps> | migrate status | settings init | eval <beir-folder>
return await CliCommands.RunAsync(args, Console.Out, CancellationToken.None);
