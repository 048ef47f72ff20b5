using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Devices.Cgms;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.BlueZ;
using PumpGateway.Fakes.Cgms;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Ports;
using PumpGateway.Service.Hosting;
using PumpGateway.Transports.Bluetooth;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Benchmarks;

/// <summary>
/// End-to-end figures of the Bluetooth path, each beside a baseline measured in the same run on
/// the same emulated device: a bare BlueZ central (the gateway's transport alone, no driver, no
/// store, no gRPC) on the same private bus and loopback.
/// <list type="bullet">
/// <item>alarm latency: an annunciation raised on the emulated pump until a gRPC subscriber has it,
/// against the same indication reaching the bare central;</item>
/// <item>history download: records per second through the gateway (RACP, decode, map, SQLite with
/// synchronous=FULL), against the bare central receiving the same transfer.</item>
/// </list>
/// </summary>
internal static class BluetoothMeasurements
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task<int> RunAsync(string[] args)
    {
        var alarms = MeasuredGateway.Argument(args, "--alarms", 1000);
        var pumpDays = MeasuredGateway.Argument(args, "--pump-days", 30);
        var sensorDays = MeasuredGateway.Argument(args, "--sensor-days", 14);
        await using var bus = await PrivateDBusDaemon.StartAsync(CancellationToken.None);
        await using var loopback = await BlueZLoopback.StartAsync(bus.Address);
        var folder = Directory.CreateTempSubdirectory("pumpgw-ble-measure-").FullName;
        try
        {
            Console.WriteLine($"Bluetooth path over the BlueZ loopback on a private dbus-daemon ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd})");
            await MeasureDownloadsAsync(bus.Address, folder, pumpDays, sensorDays);
            await MeasureAlarmLatencyAsync(bus.Address, folder, alarms);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task MeasureDownloadsAsync(string bus, string folder, int pumpDays, int sensorDays)
    {
        var end = WholeSecond(DateTime.Now);
        var therapy = new TherapyScenario(new TherapyScenarioOptions { Seed = 7, Start = end.AddDays(-pumpDays), Duration = TimeSpan.FromDays(pumpDays) });
        await using var pump = await IdsPumpEmulator.StartAsync(bus, therapy, new IdsPumpOptions { LocalName = "measure-pump", SerialNumber = "MEASURE-P", TimeScale = 0 });
        var glucose = new GlucoseScenario(new GlucoseScenarioOptions { Seed = 7, Start = end.AddDays(-sensorDays), Duration = TimeSpan.FromDays(sensorDays), Interval = TimeSpan.FromMinutes(1) });
        await using var sensor = await CgmsSensorEmulator.StartAsync(bus, glucose, new CgmsSensorOptions { LocalName = "measure-cgm", SerialNumber = "MEASURE-C", SessionLength = TimeSpan.FromDays(sensorDays), UtcOffset = TimeZoneInfo.Local.GetUtcOffset(end) });

        // The baseline first: the bare central reads each store and disconnects, leaving the devices as found.
        var barePump = await BareTransferAsync(bus, "measure-pump", IdsUuids.InsulinDeliveryService, IdsUuids.RecordAccessControlPoint, IdsUuids.HistoryData,
            IdsRacpCodec.Encode(IdsRacpRequest.ReportAll() with { E2eCounter = 1 }, IdsDialect.SpecificationWithE2e));
        var bareSensor = await BareTransferAsync(bus, "measure-cgm", CgmsUuids.CgmService, CgmsUuids.RecordAccessControlPoint, CgmsUuids.CgmMeasurement,
            CgmRacpCodec.EncodeRequest(CgmRacpRequest.ReportAll()));

        await using var gateway = await MeasuredGateway.StartAsync(folder, Bluetooth(bus));
        var completed = await gateway.FirstDownloadsAsync(2);
        var gatewayPump = completed.Single(c => c.Family == IdsDriver.FamilyName);
        var gatewaySensor = completed.Single(c => c.Family == CgmsDriver.FamilyName);

        Report($"IDS pump history, {pumpDays} days", pump.History.Count, barePump, gatewayPump);
        Report($"CGMS sensor store, {sensorDays} days at 1 min", sensor.Records.Count, bareSensor, gatewaySensor);
    }

    /// <summary>Both read the whole store: records per second is the store's size over each one's time.</summary>
    private static void Report(string what, int records, (long Notifications, TimeSpan Elapsed) bare, (string Family, long Units, long Stored, TimeSpan Elapsed) gateway)
    {
        var bareRate = records / bare.Elapsed.TotalSeconds;
        var gatewayRate = gateway.Units / gateway.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {records} records"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  bare central (baseline): {records} records in {bare.Notifications} notifications in {bare.Elapsed.TotalMilliseconds:0} ms = {bareRate:0} records per s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  gateway: {gateway.Units} records read, {gateway.Stored} events stored, in {gateway.Elapsed.TotalMilliseconds:0} ms = {gatewayRate:0} records per s, ratio to the baseline {gatewayRate / bareRate:0.00}"));
    }

    private static async Task MeasureAlarmLatencyAsync(string bus, string folder, int alarms)
    {
        var end = WholeSecond(DateTime.Now);
        var therapy = new TherapyScenario(new TherapyScenarioOptions { Seed = 3, Start = end.AddDays(-1), Duration = TimeSpan.FromDays(1) });
        await using var pump = await IdsPumpEmulator.StartAsync(bus, therapy, new IdsPumpOptions { LocalName = "latency-pump", SerialNumber = "LATENCY-P", TimeScale = 0 });
        var gateway = await MeasuredGateway.StartAsync(folder + "/latency", Bluetooth(bus));
        try
        {
            await gateway.FirstDownloadsAsync(1);
            await MeasureAlarmLatencyAsync(bus, pump, gateway, alarms);
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    private static async Task MeasureAlarmLatencyAsync(string bus, IdsPumpEmulator pump, MeasuredGateway gateway, int alarms)
    {

        // The bare central joins the same connection and listens to the same indications.
        await using var bare = await BlueZClient.ConnectAsync(new BlueZClientOptions { BusAddress = bus }, NullLoggerFactory.Instance, CancellationToken.None);
        var device = await WaitForAsync(() => bare.Devices.FirstOrDefault(d => d.Name == "latency-pump"));
        var transport = bare.CreateTransport(device);
        await transport.OpenAsync(CancellationToken.None);
        var annunciation = new GattCharacteristicId(IdsUuids.InsulinDeliveryService, IdsUuids.AnnunciationStatus);
        await transport.SubscribeAsync(annunciation, CancellationToken.None);
        var bareSeen = new ConcurrentDictionary<ushort, long>();
        var bareReader = Task.Run(async () =>
        {
            await foreach (var notification in transport.Notifications.ReadAllAsync())
            {
                if (notification.Characteristic == annunciation
                    && IdsAnnunciationStatusCodec.Decode(notification.Value, IdsDialect.SpecificationWithE2e).Annunciation is { } a)
                {
                    bareSeen.TryAdd(a.InstanceId, Stopwatch.GetTimestamp());
                }
            }
        });

        var telemetry = new Proto.TelemetryService.TelemetryServiceClient(gateway.Channel);
        using var stop = new CancellationTokenSource();
        var subscriberSeen = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var arrivals = new ConcurrentDictionary<string, TaskCompletionSource>(StringComparer.Ordinal);
        using var call = telemetry.Subscribe(new Proto.SubscribeRequest { AfterSequence = await HeadAsync(telemetry) }, cancellationToken: stop.Token);
        var subscriber = Task.Run(async () =>
        {
            try
            {
                await foreach (var response in call.ResponseStream.ReadAllAsync(stop.Token))
                {
                    if (response.Event?.Alarm is { Transition: Proto.Alarm.Types.Transition.Raised } alarm)
                    {
                        subscriberSeen.TryAdd(alarm.InstanceKey, Stopwatch.GetTimestamp());
                        arrivals.GetOrAdd(alarm.InstanceKey, _ => new()).TrySetResult();
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                // Measured enough.
            }
        });

        var gatewayLatencies = new List<double>(alarms);
        var bareLatencies = new List<double>(alarms);
        IdsAnnunciationType[] kinds = [IdsAnnunciationType.OcclusionDetected, IdsAnnunciationType.ReservoirLow, IdsAnnunciationType.BatteryLow, IdsAnnunciationType.InfusionSetDetached];
        for (var i = 0; i < alarms; i++)
        {
            var raisedAt = Stopwatch.GetTimestamp();
            var raised = pump.RaiseAnnunciation(kinds[i % kinds.Length]);
            var key = raised.InstanceId.ToString(CultureInfo.InvariantCulture);
            await arrivals.GetOrAdd(key, _ => new()).Task.WaitAsync(Timeout);
            gatewayLatencies.Add(Stopwatch.GetElapsedTime(raisedAt, subscriberSeen[key]).TotalMilliseconds);
            if (bareSeen.TryGetValue(raised.InstanceId, out var bareAt))
            {
                bareLatencies.Add(Stopwatch.GetElapsedTime(raisedAt, bareAt).TotalMilliseconds);
            }

            pump.ConfirmAnnunciation(raised.InstanceId);
        }

        await stop.CancelAsync();
        await subscriber;

        // Before the bare central leaves: its disconnection would end the gateway's link too.
        await gateway.DisposeAsync();
        gatewayLatencies.Sort();
        bareLatencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Pump annunciation to gRPC subscriber, {alarms} alarms one after another (each also recorded in the pump's history, which the gateway then reads):"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  bare central (baseline, {bareLatencies.Count} seen): median {Percentile(bareLatencies, 0.5):0.00} ms, p99 {Percentile(bareLatencies, 0.99):0.00} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  gateway subscriber: median {Percentile(gatewayLatencies, 0.5):0.00} ms, p99 {Percentile(gatewayLatencies, 0.99):0.00} ms, max {gatewayLatencies[^1]:0.00} ms; ratio to the baseline: median {Percentile(gatewayLatencies, 0.5) / Percentile(bareLatencies, 0.5):0.0}, p99 {Percentile(gatewayLatencies, 0.99) / Percentile(bareLatencies, 0.99):0.0}"));
        _ = bareReader;
    }

    /// <summary>A central of our own, on the gateway's BlueZ transport and nothing else: discover, connect, subscribe, ask for every record, count notifications until the answer.</summary>
    private static async Task<(long Notifications, TimeSpan Elapsed)> BareTransferAsync(string bus, string name, Guid service, Guid racp, Guid data, byte[] request)
    {
        await using var client = await BlueZClient.ConnectAsync(new BlueZClientOptions { BusAddress = bus, CallTimeout = Timeout }, NullLoggerFactory.Instance, CancellationToken.None);
        await client.StartDiscoveryAsync([service], CancellationToken.None);
        var device = await WaitForAsync(() => client.Devices.FirstOrDefault(d => d.Name == name));
        await using var transport = client.CreateTransport(device);
        await transport.OpenAsync(CancellationToken.None);
        var racpId = new GattCharacteristicId(service, racp);
        var dataId = new GattCharacteristicId(service, data);
        await transport.SubscribeAsync(racpId, CancellationToken.None);
        await transport.SubscribeAsync(dataId, CancellationToken.None);
        var started = Stopwatch.GetTimestamp();
        await transport.WriteAsync(racpId, request, GattWriteKind.WithResponse, CancellationToken.None);
        long notifications = 0;
        await foreach (var notification in transport.Notifications.ReadAllAsync().WithCancellation(new CancellationTokenSource(Timeout).Token))
        {
            if (notification.Characteristic == racpId)
            {
                break;
            }

            notifications++;
        }

        return (notifications, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<ulong> HeadAsync(Proto.TelemetryService.TelemetryServiceClient telemetry)
    {
        using var call = telemetry.Subscribe(new Proto.SubscribeRequest(), cancellationToken: new CancellationTokenSource(Timeout).Token);
        while (await call.ResponseStream.MoveNext())
        {
            if (call.ResponseStream.Current.Heartbeat is { } beat)
            {
                return beat.HeadSequence;
            }
        }

        throw new InvalidOperationException("No heartbeat.");
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(10, deadline.Token);
        }
    }

    private static Dictionary<string, string?> Bluetooth(string bus) => new() { ["Gateway:Bluetooth:BusAddress"] = bus };

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static DateTime WholeSecond(DateTime time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
}
