using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using PumpGateway.Service.Hosting;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Benchmarks;

/// <summary>The real gateway hosted in-process for a measurement: its own database, no USB scan, a long poll interval.</summary>
internal sealed class MeasuredGateway : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private int _disposed;

    private MeasuredGateway(WebApplication app, GrpcChannel channel)
    {
        App = app;
        Channel = channel;
    }

    public WebApplication App { get; }

    public GrpcChannel Channel { get; }

    /// <param name="settings">What the measurement sets beyond these defaults (the devices to read).</param>
    public static async Task<MeasuredGateway> StartAsync(string folder, IReadOnlyDictionary<string, string?> settings)
    {
        Directory.CreateDirectory(folder);
        var configuration = new Dictionary<string, string?>
        {
            ["Gateway:Listen"] = "127.0.0.1:0",
            ["Gateway:Storage:SqlitePath"] = Path.Combine(folder, "gateway.db"),
            ["Gateway:Serial:ScanUsb"] = "false",
            ["Gateway:Bluetooth:Enabled"] = "false",
            ["Gateway:ScanInterval"] = "00:00:00.200",
            ["Gateway:Drivers:PollInterval"] = "00:10:00",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }

        if (configuration.ContainsKey("Gateway:Bluetooth:BusAddress"))
        {
            configuration["Gateway:Bluetooth:Enabled"] = "true";
        }

        var app = GatewayHost.Build([], configuration, embedded: true);
        await app.StartAsync();
        return new MeasuredGateway(app, GrpcChannel.ForAddress(app.GetListenAddress()));
    }

    public static int Argument(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>The first download each of <paramref name="devices"/> devices completes, as the gateway reports it over gRPC.</summary>
    public async Task<List<(string Family, long Units, long Stored, TimeSpan Elapsed)>> FirstDownloadsAsync(int devices)
    {
        var watch = new Proto.DeviceService.DeviceServiceClient(Channel).WatchDevices(new Proto.WatchDevicesRequest(), cancellationToken: new CancellationTokenSource(Timeout).Token);
        var families = new Dictionary<string, string>(StringComparer.Ordinal);
        var completed = new List<(string, long, long, TimeSpan)>();
        await foreach (var e in watch.ResponseStream.ReadAllAsync())
        {
            if (e.Identified is { } identified)
            {
                families[e.Endpoint] = identified.Device.Family;
            }
            else if (e.Completed is { } done && completed.Count < devices)
            {
                completed.Add((families[e.Endpoint], done.UnitsRead, done.EventsStored, done.Elapsed.ToTimeSpan()));
                if (completed.Count == devices)
                {
                    break;
                }
            }
        }

        return completed;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
