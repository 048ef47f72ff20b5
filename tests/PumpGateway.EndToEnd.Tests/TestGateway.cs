using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using PumpGateway.Service.Hosting;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests;

/// <summary>The real gateway hosted in-process on a free port with its own database, and the gRPC calls the tests make of it.</summary>
internal sealed class TestGateway : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private TestGateway(WebApplication app, GrpcChannel channel)
    {
        App = app;
        Channel = channel;
        Telemetry = new Proto.TelemetryService.TelemetryServiceClient(channel);
        Devices = new Proto.DeviceService.DeviceServiceClient(channel);
        Reports = new Proto.ReportService.ReportServiceClient(channel);
        Diagnostics = new Proto.DiagnosticsService.DiagnosticsServiceClient(channel);
    }

    public WebApplication App { get; }

    public GrpcChannel Channel { get; }

    public Proto.TelemetryService.TelemetryServiceClient Telemetry { get; }

    public Proto.DeviceService.DeviceServiceClient Devices { get; }

    public Proto.ReportService.ReportServiceClient Reports { get; }

    public Proto.DiagnosticsService.DiagnosticsServiceClient Diagnostics { get; }

    /// <param name="settings">What the test sets beyond the defaults here (no USB scan, no Bluetooth, fast scans).</param>
    public static async Task<TestGateway> StartAsync(string folder, IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Gateway:Listen"] = "127.0.0.1:0",
            ["Gateway:Storage:SqlitePath"] = Path.Combine(folder, "gateway.db"),
            ["Gateway:Serial:ScanUsb"] = "false",
            ["Gateway:Bluetooth:Enabled"] = "false",
            ["Gateway:ScanInterval"] = "00:00:00.200",
            ["Gateway:Reconnect:Delay"] = "00:00:00.300",
            ["Gateway:Streaming:HeartbeatInterval"] = "00:00:00.500",
            ["Serilog:MinimumLevel:Default"] = Environment.GetEnvironmentVariable("PUMPGW_TEST_LOG") ?? "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }

        var app = GatewayHost.Build([], configuration, embedded: true);
        await app.StartAsync().WaitAsync(Timeout);
        return new TestGateway(app, GrpcChannel.ForAddress(app.GetListenAddress()));
    }

    /// <summary>The head sequence, from the first heartbeat of a subscription.</summary>
    public async Task<long> HeadAsync(CancellationToken cancellationToken)
    {
        using var call = Telemetry.Subscribe(new Proto.SubscribeRequest(), cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            if (call.ResponseStream.Current.Heartbeat is { } beat)
            {
                return (long)beat.HeadSequence;
            }
        }

        throw new InvalidOperationException("The stream ended without a heartbeat.");
    }

    /// <summary>Subscribes after <paramref name="after"/> and reads until <paramref name="count"/> events have come.</summary>
    public async Task<List<Proto.TelemetryEvent>> ReadAsync(ulong after, int count, CancellationToken cancellationToken)
    {
        using var call = Telemetry.Subscribe(new Proto.SubscribeRequest { AfterSequence = after }, cancellationToken: cancellationToken);
        var events = new List<Proto.TelemetryEvent>(count);
        while (events.Count < count && await call.ResponseStream.MoveNext(cancellationToken))
        {
            if (call.ResponseStream.Current.Event is { } e)
            {
                events.Add(e);
            }
        }

        return events;
    }

    /// <summary>Reads the stream until <paramref name="done"/> says the events so far are enough.</summary>
    public async Task<List<Proto.TelemetryEvent>> ReadUntilAsync(ulong after, Func<IReadOnlyList<Proto.TelemetryEvent>, bool> done, CancellationToken cancellationToken)
    {
        using var call = Telemetry.Subscribe(new Proto.SubscribeRequest { AfterSequence = after }, cancellationToken: cancellationToken);
        var events = new List<Proto.TelemetryEvent>();
        while (!done(events) && await call.ResponseStream.MoveNext(cancellationToken))
        {
            if (call.ResponseStream.Current.Event is { } e)
            {
                events.Add(e);
            }
        }

        return events;
    }

    /// <summary>
    /// Waits until a device's stream cursor reaches <paramref name="position"/> (its events are
    /// committed with it), then returns every event stored so far: what was stored, not what
    /// happened to arrive first.
    /// </summary>
    public async Task<List<Proto.TelemetryEvent>> ReadStoredThroughCursorAsync(string family, string stream, long position, CancellationToken cancellationToken)
    {
        while (true)
        {
            var devices = await Devices.ListDevicesAsync(new Proto.ListDevicesRequest(), cancellationToken: cancellationToken);
            if (devices.Devices.Any(d => d.Family == family && d.Cursors.Any(c => c.Stream == stream && c.Position >= position)))
            {
                break;
            }

            await Task.Delay(50, cancellationToken);
        }

        return await ReadAsync(0, (int)await HeadAsync(cancellationToken), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await App.StopAsync().WaitAsync(Timeout);
        await App.DisposeAsync();
    }
}
