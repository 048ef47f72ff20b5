using System.CommandLine;
using PumpGateway.Cli;

// Ctrl-C and SIGTERM cancel the running command, which then has 5 s to stop what it started
// (the demo's gateway, emulators and private bus) before the process is ended.
return await PumpgwCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(5) });
