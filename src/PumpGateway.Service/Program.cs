using PumpGateway.Service.Hosting;

await GatewayHost.Build(args).RunAsync();
