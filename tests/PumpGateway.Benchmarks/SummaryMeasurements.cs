using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using PumpGateway.Devices;
using PumpGateway.Fakes.BlueZ;
using PumpGateway.Fakes.Dexcom;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Benchmarks;

/// <summary>
/// `-- summary`: ReportService.GetSummary over a long period of one pump and the CGM its wearer uses with it,
/// downloaded by the gateway from the emulators (the pump over the BlueZ loopback, the receiver on a pty); against a baseline in the same run:
/// QueryHistory reading the same events (the pump's, with the findings' week before, and the CGM's glucose)
/// over the same channel, which is the store and wire work a client doing the summary itself would pay.
/// </summary>
internal static class SummaryMeasurements
{
    public static async Task<int> RunAsync(string[] args)
    {
        var days = MeasuredGateway.Argument(args, "--days", 90);
        var calls = MeasuredGateway.Argument(args, "--calls", 20);
        await using var bus = await PrivateDBusDaemon.StartAsync(CancellationToken.None);
        await using var loopback = await BlueZLoopback.StartAsync(bus.Address);
        var folder = Directory.CreateTempSubdirectory("pumpgw-summary-measure-").FullName;
        try
        {
            var end = DateTime.Now;
            end = new DateTime(end.Ticks - (end.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
            var wearer = new Wearer(new TherapyScenarioOptions { Seed = 11, Start = end.AddDays(-days), Duration = TimeSpan.FromDays(days), GlucoseInterval = TimeSpan.FromMinutes(5) });
            var offset = TimeZoneInfo.Local.GetUtcOffset(end);
            await using var pump = await IdsPumpEmulator.StartAsync(bus.Address, wearer.Therapy, new IdsPumpOptions { LocalName = "summary-pump", SerialNumber = "SUMMARY-P", TimeScale = 0, UtcOffset = offset });

            // A CGMS sensor holds one session (its time offset counts minutes in 16 bits: 45 days at most), so the
            // 90 days of glucose come from the wearer's receiver.
            await using var receiver = DexcomReceiverEmulator.Start(DexcomReceiverDatabase.FromScenario(wearer.Glucose, "SM40000011", TimeSpan.Zero));
            var pumpId = DeviceId.FromSerial("ids", "SUMMARY-P");
            var cgmId = DeviceId.FromSerial("dexcom", "SM40000011");
            await using var gateway = await MeasuredGateway.StartAsync(folder, new Dictionary<string, string?>
            {
                ["Gateway:Bluetooth:BusAddress"] = bus.Address,
                ["Gateway:Serial:Ports:0:Path"] = receiver.PortPath,
                ["Gateway:Serial:Ports:0:Family"] = "dexcom",
                ["Gateway:Wearers:0:Devices:0"] = pumpId.Value,
                ["Gateway:Wearers:0:Devices:1"] = cgmId.Value,
            });
            var downloads = await gateway.FirstDownloadsAsync(2);

            var to = new DateTimeOffset(end, offset);
            var from = to.AddDays(-days);
            var reports = new Proto.ReportService.ReportServiceClient(gateway.Channel);
            var telemetry = new Proto.TelemetryService.TelemetryServiceClient(gateway.Channel);
            var request = new Proto.GetSummaryRequest { DeviceId = pumpId.Value, From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(to) };

            Proto.Summary? summary = null;
            var events = 0;
            async Task Summary() => summary = await reports.GetSummaryAsync(request, deadline: DateTime.UtcNow.Add(MeasuredGateway.Timeout));
            async Task Read() => events =
                await ReadAllAsync(telemetry, pumpId, from.AddDays(-7), to.AddDays(1), []) +
                await ReadAllAsync(telemetry, cgmId, from.AddDays(-7), to, [Proto.TelemetryKind.Glucose]);

            // Alternating, so that both see the same machine state; the first rounds warm up JIT and the page cache.
            var summaryTimes = new List<double>();
            var readTimes = new List<double>();
            for (var i = -3; i < calls; i++)
            {
                var s = await TimeAsync(Summary);
                var r = await TimeAsync(Read);
                if (i >= 0)
                {
                    summaryTimes.Add(s);
                    readTimes.Add(r);
                }
            }

            summaryTimes.Sort();
            readTimes.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GetSummary, {days} days of one IDS pump and its wearer's Dexcom receiver ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  downloaded: {string.Join(", ", downloads.Select(d => $"{d.Family} {d.Stored} events"))}; the summary: {summary!.Glucose.Readings} readings, {summary.Insulin?.Days.Count ?? 0} insulin days, {summary.Findings.Count} findings"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  GetSummary        median {Median(summaryTimes):0.0} ms, p95 {Percentile(summaryTimes, 0.95):0.0} ms ({calls} calls)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  QueryHistory read median {Median(readTimes):0.0} ms, p95 {Percentile(readTimes, 0.95):0.0} ms of the same {events} events (baseline)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio GetSummary / read: {Median(summaryTimes) / Median(readTimes):0.00}"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<int> ReadAllAsync(Proto.TelemetryService.TelemetryServiceClient telemetry, DeviceId device, DateTimeOffset from, DateTimeOffset to, Proto.TelemetryKind[] kinds)
    {
        var request = new Proto.QueryHistoryRequest { DeviceId = device.Value, From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(to), PageSize = 10_000 };
        request.Kinds.AddRange(kinds);
        var count = 0;
        do
        {
            var page = await telemetry.QueryHistoryAsync(request, deadline: DateTime.UtcNow.Add(MeasuredGateway.Timeout));
            count += page.Events.Count;
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return count;
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> sorted) => Percentile(sorted, 0.5);

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
