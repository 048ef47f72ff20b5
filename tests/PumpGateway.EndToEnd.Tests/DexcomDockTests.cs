using Grpc.Core;
using PumpGateway.Devices.Dexcom;
using PumpGateway.Fakes.Dexcom;
using PumpGateway.Fakes.Scenario;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests;

/// <summary>
/// The whole data path: an emulated receiver on a pseudo-terminal, the real gateway (serial
/// transport, driver, SQLite, gRPC) hosted in-process, and a gRPC client.
/// </summary>
public sealed class DexcomDockTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("pumpgw-e2e-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_subscriber_from_zero_gets_exactly_the_emulated_readings_and_one_from_the_middle_the_rest()
    {
        var database = Database(days: 2);
        await using var emulator = DexcomReceiverEmulator.Start(database);
        await using var gateway = await StartGatewayAsync(emulator.PortPath);
        var expected = database.Records(DexcomRecordType.EgvData).Select(r => r.SystemSeconds).ToList();
        var totalEvents = TotalRecords(database);

        using var cancel = new CancellationTokenSource(Timeout);
        var all = await gateway.ReadAsync(0, totalEvents, cancel.Token);

        var glucose = all.Where(e => e.Kind == Proto.TelemetryKind.Glucose && e.Glucose.Source == Proto.GlucoseReading.Types.Source.Sensor).ToList();
        Assert.Equal(expected, glucose.Select(e => (uint)e.DeviceTimeRaw));
        Assert.Equal(all.Count, all.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, totalEvents).Select(i => (ulong)i), all.Select(e => e.Sequence));
        var firstEgv = (EgvRecord)database.Records(DexcomRecordType.EgvData)[0];
        Assert.Equal(firstEgv.GlucoseMgDl, glucose[0].Glucose.MgDl);

        var middle = (ulong)(totalEvents / 2);
        var rest = await gateway.ReadAsync(middle, totalEvents - (int)middle, cancel.Token);
        Assert.Equal(all.Skip((int)middle).Select(e => e.EventId), rest.Select(e => e.EventId));
    }

    [Fact]
    public async Task A_link_dropped_mid_download_resumes_from_the_cursor_with_nothing_missing_or_twice()
    {
        var database = Database(days: 5);
        var totalEvents = TotalRecords(database);
        await using var gateway = await StartGatewayAsync(Path.Combine(_folder, "receiver"));

        // First dock: the receiver is unplugged after about 20 kB of replies.
        var firstRequests = 0;
        await using (var first = DexcomReceiverEmulator.Start(database))
        {
            first.Faults.DropLinkAfterBytes = 20_000;
            var link = Path.Combine(_folder, "receiver");
            File.CreateSymbolicLink(link, first.PortPath);
            await first.Completion.WaitAsync(Timeout);
            File.Delete(link);
            firstRequests = first.Requests.Count(r => r.Command == DexcomCommand.ReadDatabasePages);
        }

        using var cancel = new CancellationTokenSource(Timeout);
        var partial = (int)await gateway.HeadAsync(cancel.Token);
        Assert.InRange(partial, 1, totalEvents - 1);

        // Second dock, same receiver: only pages from the cursor on are read.
        await using (var second = DexcomReceiverEmulator.Start(database))
        {
            var link = Path.Combine(_folder, "receiver");
            File.CreateSymbolicLink(link, second.PortPath);
            // The first session's report is stored when the gateway notices the drop, which may be after the second dock's events.
            var stream = await gateway.ReadUntilAsync(
                0, e => e.Count(x => x.Kind != Proto.TelemetryKind.LinkReport) >= totalEvents && e.Any(x => x.Kind == Proto.TelemetryKind.LinkReport), cancel.Token);
            var all = stream.Where(e => e.Kind != Proto.TelemetryKind.LinkReport).ToList();
            Assert.Equal(all.Count, all.Select(e => e.EventId).Distinct().Count());

            // The dropped session left its link report: what it moved and why it ended.
            var report = Assert.Single(stream, e => e.Kind == Proto.TelemetryKind.LinkReport).LinkReport;
            Assert.True(report.BytesIn > 0 && report.BytesOut > 0, "the report counts the bytes of the first dock");
            Assert.NotEmpty(report.EndReason);
            var sensorGlucose = all.Where(e => e.Kind == Proto.TelemetryKind.Glucose && e.Glucose.Source == Proto.GlucoseReading.Types.Source.Sensor);
            Assert.Equal(database.Records(DexcomRecordType.EgvData).Select(r => r.SystemSeconds), sensorGlucose.Select(e => (uint)e.DeviceTimeRaw).Order());
            var pagesInTotal = Enum.GetValues<DexcomRecordType>().Sum(t => database.PageRange(t).PageCount) - 1;
            var secondPageReads = second.Requests.Where(r => r.Command == DexcomCommand.ReadDatabasePages && r.RecordType != DexcomRecordType.ManufacturingData).Sum(r => r.PageCount!.Value);
            Assert.True(secondPageReads < pagesInTotal, $"the second dock read {secondPageReads} pages of {pagesInTotal}: it did not resume");
            File.Delete(link);
        }

        Assert.True(firstRequests > 0);
    }

    [Fact]
    public async Task Garbage_corrupt_frames_naks_and_stalls_are_retried_and_nothing_corrupt_is_stored()
    {
        var database = Database(days: 1);
        await using var emulator = DexcomReceiverEmulator.Start(database);
        emulator.Faults.StallDuration = TimeSpan.FromSeconds(3);
        emulator.Faults.GarbageBeforeNext(5);
        emulator.Faults.CorruptNext(4);
        emulator.Faults.NakNext(2);
        emulator.Faults.StallNext(1);
        await using var gateway = await StartGatewayAsync(emulator.PortPath, retries: 12);
        using var cancel = new CancellationTokenSource(Timeout);

        var totalEvents = TotalRecords(database);
        var all = await gateway.ReadAsync(0, totalEvents, cancel.Token);
        var egvs = database.Records(DexcomRecordType.EgvData).Cast<EgvRecord>().ToDictionary(r => r.SystemSeconds);
        foreach (var e in all.Where(e => e.Kind == Proto.TelemetryKind.Glucose && e.Glucose.Source == Proto.GlucoseReading.Types.Source.Sensor))
        {
            Assert.Equal(egvs[(uint)e.DeviceTimeRaw].GlucoseMgDl, e.Glucose.MgDl);
        }

        Assert.Equal(totalEvents, all.Select(e => e.EventId).Distinct().Count());
    }

    [Fact]
    public async Task The_gateway_only_ever_sends_read_commands()
    {
        var database = Database(days: 1);
        await using var emulator = DexcomReceiverEmulator.Start(database);
        await using var gateway = await StartGatewayAsync(emulator.PortPath);
        using var cancel = new CancellationTokenSource(Timeout);
        await gateway.ReadAsync(0, TotalRecords(database), cancel.Token);

        Assert.NotEmpty(emulator.Requests);
        Assert.All(emulator.Requests, r => Assert.True(Enum.IsDefined(r.Command) && r.Command.ToString().StartsWith("Read", StringComparison.Ordinal), $"{r.Command} is not a read"));
    }

    private static DexcomReceiverDatabase Database(int days)
    {
        var end = DateTime.SpecifyKind(DateTime.UtcNow.AddMinutes(-10), DateTimeKind.Unspecified);
        var scenario = new GlucoseScenario(new GlucoseScenarioOptions { Seed = days, Start = end.AddDays(-days), Duration = TimeSpan.FromDays(days) });
        return DexcomReceiverDatabase.FromScenario(scenario, "SM" + days.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(8, '0'), TimeSpan.FromHours(-5));
    }

    /// <summary>Every telemetry record the emulated receiver holds (manufacturing data carries none).</summary>
    private static int TotalRecords(DexcomReceiverDatabase database) =>
        new[] { DexcomRecordType.EgvData, DexcomRecordType.MeterData, DexcomRecordType.SensorData, DexcomRecordType.InsertionTime, DexcomRecordType.UserEventData }
            .Sum(t => database.Records(t).Count);

    private Task<TestGateway> StartGatewayAsync(string portPath, int retries = 3) => TestGateway.StartAsync(_folder, new Dictionary<string, string?>
    {
        ["Gateway:Serial:Ports:0:Path"] = portPath,
        ["Gateway:Serial:Ports:0:Family"] = "dexcom",
        ["Gateway:Drivers:ResponseTimeout"] = "00:00:01",
        ["Gateway:Drivers:Retries"] = retries.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });
}
