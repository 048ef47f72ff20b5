using System.CommandLine;
using System.CommandLine.Parsing;
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
        CustomParser = ParseServer,
        Recursive = true,
    };

    private readonly GrpcChannel _channel;

    public GatewayClient(Uri server)
    {
        _channel = GrpcChannel.ForAddress(server);
        Devices = new Proto.DeviceService.DeviceServiceClient(_channel);
        Telemetry = new Proto.TelemetryService.TelemetryServiceClient(_channel);
        Diagnostics = new Proto.DiagnosticsService.DiagnosticsServiceClient(_channel);
        Reports = new Proto.ReportService.ReportServiceClient(_channel);
    }

    public Proto.DeviceService.DeviceServiceClient Devices { get; }

    public Proto.TelemetryService.TelemetryServiceClient Telemetry { get; }

    public Proto.DiagnosticsService.DiagnosticsServiceClient Diagnostics { get; }

    public Proto.ReportService.ReportServiceClient Reports { get; }

    public void Dispose() => _channel.Dispose();

    /// <summary>System.CommandLine has no converter for <see cref="Uri"/>: an absolute http(s) address, or a clear error.</summary>
    private static Uri? ParseServer(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"--server must be the gateway's http:// or https:// address, e.g. http://127.0.0.1:50051, not \"{text}\".");
        return null;
    }
}
