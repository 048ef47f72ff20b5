using PumpGateway.Cli;

return await PumpgwCommand.Create().Parse(args).InvokeAsync();
