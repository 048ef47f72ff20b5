using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PumpGateway.Ports;
using PumpGateway.Service.Hosting;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Tests;

/// <summary>
/// The real gateway (Kestrel, HTTP/2, gRPC, the SQLite store) hosted in the test process on a free
/// loopback port, with its data in a temporary folder that is deleted afterwards.
/// </summary>
internal sealed class InProcessGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;
    private readonly GrpcChannel _channel;

    private InProcessGateway(WebApplication app, string folder)
    {
        _app = app;
        _folder = folder;
        Address = app.GetListenAddress();
        _channel = GrpcChannel.ForAddress(Address);
        Devices = new Proto.DeviceService.DeviceServiceClient(_channel);
        Telemetry = new Proto.TelemetryService.TelemetryServiceClient(_channel);
        Reports = new Proto.ReportService.ReportServiceClient(_channel);
        Diagnostics = new Proto.DiagnosticsService.DiagnosticsServiceClient(_channel);
    }

    public Uri Address { get; }

    public GrpcChannel Channel => _channel;

    public Proto.DeviceService.DeviceServiceClient Devices { get; }

    public Proto.TelemetryService.TelemetryServiceClient Telemetry { get; }

    public Proto.ReportService.ReportServiceClient Reports { get; }

    public Proto.DiagnosticsService.DiagnosticsServiceClient Diagnostics { get; }

    public IEventStore Store => _app.Services.GetRequiredService<IEventStore>();

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// A channel on a connection of its own with the smallest HTTP/2 stream window (64 KiB) and no window
    /// growth while unread: a client that stops reading on it fills its window at once and holds only its own connection.
    /// </summary>
    public GrpcChannel OpenSeparateChannel() =>
        GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { InitialHttp2StreamWindowSize = 65535, EnableMultipleHttp2Connections = false },
            DisposeHttpClient = true,
        });

    public static async Task<InProcessGateway> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("pumpgw-test-").FullName;
        var overrides = new Dictionary<string, string?>
        {
            ["Gateway:Listen"] = "127.0.0.1:0",
            ["Gateway:Storage:SqlitePath"] = Path.Combine(folder, "gateway.db"),
            ["Gateway:Serial:ScanUsb"] = "false",
            ["Gateway:Bluetooth:Enabled"] = "false",
            ["Gateway:ScanInterval"] = "00:00:00.200",
            ["Gateway:Reconnect:Delay"] = "00:00:00.200",
            ["Gateway:Streaming:HeartbeatInterval"] = "00:00:00.500",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var app = GatewayHost.Build([], overrides, embedded: true);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new InProcessGateway(app, folder);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finalizing connection: the OS cleans temp folders.
        }
    }
}
