using System.CommandLine;
using Grpc.Net.Client;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands;

/// <summary>The gRPC clients of one gateway, for the commands that talk to a running gateway.</summary>
internal sealed class GatewayClient : IDisposable
{
    public static readonly Option<Uri> ServerOption = new("--server")
    {
        Description = "The gateway's gRPC address.",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:50051"),
        Recursive = true,
    };

    private readonly GrpcChannel _channel;

    public GatewayClient(Uri server)
    {
        _channel = GrpcChannel.ForAddress(server);
        Devices = new Proto.DeviceService.DeviceServiceClient(_channel);
        Telemetry = new Proto.TelemetryService.TelemetryServiceClient(_channel);
    }

    public Proto.DeviceService.DeviceServiceClient Devices { get; }

    public Proto.TelemetryService.TelemetryServiceClient Telemetry { get; }

    public void Dispose() => _channel.Dispose();
}
