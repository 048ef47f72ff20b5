using Microsoft.Extensions.Time.Testing;
using System.Globalization;
using PumpGateway.Devices;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Medtronic;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;
using PumpGateway.TestSupport;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests;

/// <summary>
/// A Paradigm pump behind an emulated CareLink stick on a pseudo-terminal, read by the real gateway
/// (serial transport, CareLink link, driver, SQLite, gRPC). The pages the pump serves, mapped as
/// the mapper maps them, are the ground truth: what a subscriber receives is exactly that, once.
/// </summary>
public sealed class MedtronicPumpTests : IAsyncLifetime
{
    private const string GeneratedSerial = "665455";
    private static readonly TimeSpan Timeout = TestGateway.Timeout;

    /// <summary>When CareLink exported pump 578398 (its file name, ms since 1970): the fixture pump's clock stands there.</summary>
    private static readonly DateTime Exported = DateTimeOffset.FromUnixTimeMilliseconds(1430357806982).UtcDateTime;

    private readonly string _folder = Directory.CreateTempSubdirectory("pumpgw-e2e-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_real_pages_of_pump_578398_reach_the_subscriber_as_the_mapper_makes_them_once_each()
    {
        await using var pump = ParadigmPumpEmulator.FromCapture(
            SharedFiles.Fixture("medtronic", "578398"),
            MedtronicModel.Paradigm522,
            new ParadigmPumpOptions { Serial = "578398", ClockOffset = Exported - DateTime.UtcNow });
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var gateway = await StartGatewayAsync(stick.PortPath, "578398");
        using var cancel = new CancellationTokenSource(Timeout);

        var expected = Expected(pump);
        var stored = await ReadPumpEventsAsync(gateway, expected.Count, cancel.Token);

        AssertSame(expected, stored);

        // CareLink's export: BolusNormal 2.5 U at 4/28/15 14:11:55, the pump's own clock.
        var bolus = stored.Single(e => e.Bolus is not null && e.DeviceTime == "2015-04-28T14:11:55");
        Assert.Equal(("2.5", "2.5"), (bolus.Bolus.ProgrammedUnits, bolus.Bolus.DeliveredUnits));
        Assert.Contains(stored, e => e.Glucose?.Source == Proto.GlucoseReading.Types.Source.Sensor);
    }

    [Fact]
    public async Task A_generated_554_history_and_its_sensor_glucose_are_stored_once_and_the_gateway_only_read()
    {
        await using var pump = GeneratedPump(days: 6, seed: 3);
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var gateway = await StartGatewayAsync(stick.PortPath, GeneratedSerial);
        using var cancel = new CancellationTokenSource(Timeout);

        var expected = Expected(pump);
        var stored = await ReadPumpEventsAsync(gateway, expected.Count, cancel.Token);

        AssertSame(expected, stored);
        Assert.True(pump.HistoryPages.Count >= 2, "the history spans pages");
        Assert.Contains(stored, e => e.Bolus?.Type == Proto.Bolus.Types.Type.DualWave);
        Assert.Contains(stored, e => e.TemporaryBasal is not null);
        Assert.Contains(stored, e => e.Glucose?.Source == Proto.GlucoseReading.Types.Source.Sensor);

        // Read-only: nothing was refused, and every packet sent over the air is one of the reads.
        Assert.Empty(stick.RefusedCommands);
        var packets = stick.Received.Where(c => c.Opcode == CareLinkOpcode.TransmitPacket).Select(c => c.Packet!.Code).Distinct().ToList();
        Assert.Contains(ParadigmCommandCode.ReadHistoryData, packets);
        Assert.All(packets, code => Assert.True(code == ParadigmCommandCode.PowerControl || code.ToString().StartsWith("Read", StringComparison.Ordinal), $"{code} is not a read"));
    }

    [Fact]
    public async Task A_link_dropped_mid_download_reads_only_the_missing_pages_again_and_stores_nothing_twice()
    {
        await using var pump = GeneratedPump(days: 24, seed: 8);
        var pages = pump.HistoryPages.Count;
        Assert.True(pages >= 6, $"{pages} pages: too few to cut a download in the middle");
        var link = Path.Combine(_folder, "stick");
        await using var gateway = await StartGatewayAsync(link, GeneratedSerial);
        using var cancel = new CancellationTokenSource(Timeout);

        // First dock: the stick is pulled out after about three quarters of the pages have come
        // over (identify and status take about 3 kB of stick replies, a page about 2 kB: its radio
        // reads, the ACK and the LinkStatus polls). Nothing is stored: history maps oldest first.
        int firstRead;
        await using (var first = CareLinkStickEmulator.Start(pump))
        {
            first.Faults.DropLinkAfterBytes = 3_000 + (pages * 3 / 4 * 2_000);
            File.CreateSymbolicLink(link, first.PortPath);
            await first.Completion.WaitAsync(Timeout, cancel.Token);
            File.Delete(link);
            firstRead = HistoryPagesRead(first);
            Assert.InRange(firstRead, 4, pages - 1);
        }

        Assert.Equal(0, await CountPumpEventsAsync(gateway, cancel.Token));

        // Second dock: page 0 (it may have grown) and one kept page to check the numbering are read
        // again, then only the pages the first dock did not get whole (its last one was cut).
        await using var second = CareLinkStickEmulator.Start(pump);
        File.CreateSymbolicLink(link, second.PortPath);
        var expected = Expected(pump);
        var stored = await ReadPumpEventsAsync(gateway, expected.Count, cancel.Token);
        AssertSame(expected, stored);
        var keptWhole = firstRead - 2;
        Assert.InRange(HistoryPagesRead(second), pages - keptWhole, pages - keptWhole + 1);
        File.Delete(link);
    }

    [Fact]
    public async Task A_weak_radio_and_stick_faults_are_retried_and_the_link_report_carries_the_sticks_counters()
    {
        await using var pump = GeneratedPump(days: 3, seed: 5);
        await using var stick = CareLinkStickEmulator.Start(pump);
        stick.Faults.WeakRadio(noAnswerProbability: 0.05, badFrameProbability: 0.05);
        stick.Faults.StallDuration = TimeSpan.FromSeconds(2);
        stick.Faults.CorruptNext(3);
        stick.Faults.NakNextTransmits(2);
        stick.Faults.StallNext(1);
        await using var gateway = await StartGatewayAsync(stick.PortPath, GeneratedSerial, retries: 10);
        using var cancel = new CancellationTokenSource(Timeout);

        var expected = Expected(pump);
        var stored = await ReadPumpEventsAsync(gateway, expected.Count, cancel.Token);
        AssertSame(expected, stored);

        // The session's end (the stick pulled) leaves its report: the gateway's retries, and what the
        // stick counted, as the gateway last asked it (after the download: its second USB statistics).
        while (stick.Received.Count(c => c.Opcode == CareLinkOpcode.InterfaceStatistics && c.Interface == CareLinkInterface.Usb) < 2)
        {
            await Task.Delay(20, cancel.Token);
        }

        stick.Unplug();
        var report = (await gateway.ReadUntilAsync(0, e => e.Any(x => x.LinkReport is not null), cancel.Token)).Single(e => e.LinkReport is not null).LinkReport;
        Assert.True(report.Retries > 0, "the faults were retried");
        Assert.True(report.HasSignalStrength, "the stick reported its signal strength");
        Assert.True(report.DeviceCounters["radio.crcErrors"] > 0, "the stick counted the bad radio frames");
        Assert.True(report.DeviceCounters["radio.packetsTransmitted"] > 0);

        // The pump's clock as measured at dock: its offset to UTC, and its error against the local time it should show.
        Assert.NotNull(report.ClockOffset);
        Assert.InRange(Math.Abs(report.ClockError.ToTimeSpan().TotalSeconds), 0, 5);
    }

    [Fact]
    public async Task What_the_pump_records_after_the_download_arrives_at_the_next_poll()
    {
        await using var pump = GeneratedPump(days: 2, seed: 6);
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var gateway = await StartGatewayAsync(stick.PortPath, GeneratedSerial, poll: TimeSpan.FromMilliseconds(300));
        using var cancel = new CancellationTokenSource(Timeout);
        var before = Expected(pump);
        await ReadPumpEventsAsync(gateway, before.Count, cancel.Token);

        pump.AdvanceTo(pump.Scenario!.Now.AddHours(2));
        var after = Expected(pump);
        Assert.True(after.Count > before.Count, "two more hours of therapy and glucose were recorded");
        var stored = await ReadPumpEventsAsync(gateway, after.Count, cancel.Token);
        AssertSame(after, stored);
    }

    [Fact]
    public async Task A_pump_whose_radio_went_back_to_sleep_is_woken_again_in_the_same_session()
    {
        var pumpClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pump = GeneratedPump(days: 2, seed: 4, pumpClock);
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var gateway = await StartGatewayAsync(stick.PortPath, GeneratedSerial, retries: 1, poll: TimeSpan.FromMilliseconds(300));
        using var cancel = new CancellationTokenSource(Timeout);
        await ReadPumpEventsAsync(gateway, Expected(pump).Count, cancel.Token);

        // The ten minutes the gateway's wake-up asked for pass on the pump's clock only: it stops
        // answering, as a pump does; the gateway's own clock gave it no reason to wake it before.
        pumpClock.Advance(TimeSpan.FromMinutes(11));
        Assert.False(pump.IsAwake);
        pump.AdvanceTo(pump.Scenario!.Now.AddHours(2));
        var after = Expected(pump);
        var stored = await ReadPumpEventsAsync(gateway, after.Count, cancel.Token);

        AssertSame(after, stored);
        Assert.True(pump.IsAwake);
        Assert.True(stick.Received.Count(c => c.Packet?.Code == ParadigmCommandCode.PowerControl) >= 2, "woken again");
        Assert.Equal(0, await CountAsync(gateway, e => e.LinkReport is not null, cancel.Token));
    }

    /// <summary>A 554 worn for <paramref name="days"/> that ended three hours ago on the pump's clock (true UTC): every bolus on it is over.</summary>
    private static ParadigmPumpEmulator GeneratedPump(int days, int seed, TimeProvider? clock = null)
    {
        var now = DateTime.UtcNow;
        var end = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified).AddHours(-3);
        var wearer = new Wearer(new TherapyScenarioOptions
        {
            Seed = seed,
            Start = end.AddDays(-days),
            Duration = TimeSpan.FromDays(days),
            AbsoluteTemporaryBasalsPerWeek = 4,
            RandomAlarmsPerWeek = 3,
            SensorSession = TimeSpan.FromDays(3),
        });
        return ParadigmPumpEmulator.FromWearer(wearer, new ParadigmPumpOptions { Serial = GeneratedSerial, Clock = clock ?? TimeProvider.System });
    }

    /// <summary>What the gateway should store of the pump's pages as served now, by event id.</summary>
    private static Dictionary<string, TelemetryEvent> Expected(ParadigmPumpEmulator pump)
    {
        var device = DeviceId.FromSerial(MedtronicDriver.FamilyName, pump.Serial);
        var mapper = new MedtronicTelemetryMapper(device, pump.Model, TimeSpan.Zero, pump.PumpNow());
        var records = pump.HistoryPages.Reverse().SelectMany(p => MedtronicPageCodec.Decode(p.Bytes, pump.Model).Records).ToList();
        mapper.CorrectForClockChanges(records);
        var history = records.SelectMany(mapper.Map).ToList();
        var glucose = pump.GlucosePages.OrderBy(p => p.Number).SelectMany(p => mapper.MapGlucosePage(MedtronicGlucosePageCodec.Decode(p.Bytes).Entries)).OfType<TelemetryEvent>();
        var expected = new Dictionary<string, TelemetryEvent>(StringComparer.Ordinal);
        foreach (var e in history.Concat(glucose))
        {
            expected.TryAdd(e.Id.Value, e);
        }

        return expected;
    }

    /// <summary>The pump's history and glucose events (not its status or the link reports), once all <paramref name="count"/> are stored.</summary>
    private static async Task<List<Proto.TelemetryEvent>> ReadPumpEventsAsync(TestGateway gateway, int count, CancellationToken cancellationToken)
    {
        var events = await gateway.ReadUntilAsync(0, e => e.Count(IsPumpRecord) >= count, cancellationToken);
        return [.. events.Where(IsPumpRecord)];
    }

    private static Task<int> CountPumpEventsAsync(TestGateway gateway, CancellationToken cancellationToken) => CountAsync(gateway, IsPumpRecord, cancellationToken);

    private static async Task<int> CountAsync(TestGateway gateway, Func<Proto.TelemetryEvent, bool> which, CancellationToken cancellationToken) =>
        (await gateway.ReadAsync(0, (int)await gateway.HeadAsync(cancellationToken), cancellationToken)).Count(which);

    private static bool IsPumpRecord(Proto.TelemetryEvent e) => e.EventId.Contains("/mdt/", StringComparison.Ordinal) || e.EventId.Contains("/mdt-glucose/", StringComparison.Ordinal);

    private static void AssertSame(Dictionary<string, TelemetryEvent> expected, List<Proto.TelemetryEvent> stored)
    {
        Assert.Equal(stored.Count, stored.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), stored.Select(e => e.EventId).Order(StringComparer.Ordinal));
        foreach (var e in stored)
        {
            var truth = expected[e.EventId];
            Assert.Equal(truth.DeviceTime.Clock.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), e.DeviceTime);
            switch (truth)
            {
                case Bolus bolus:
                    Assert.Equal(bolus.DeliveredUnits, decimal.Parse(e.Bolus.DeliveredUnits, CultureInfo.InvariantCulture));
                    Assert.Equal(bolus.DeliveredExtendedUnits ?? 0, decimal.Parse(e.Bolus.DeliveredExtendedUnits is "" ? "0" : e.Bolus.DeliveredExtendedUnits, CultureInfo.InvariantCulture));
                    break;
                case GlucoseReading glucose:
                    Assert.Equal(glucose.MgDl, e.Glucose.MgDl);
                    break;
                case TemporaryBasal basal:
                    Assert.Equal(basal.ProgrammedDuration, e.TemporaryBasal.ProgrammedDuration.ToTimeSpan());
                    break;
            }
        }
    }

    private static int HistoryPagesRead(CareLinkStickEmulator stick) =>
        stick.Received.Count(c => c.Packet?.Code == ParadigmCommandCode.ReadHistoryData);

    private Task<TestGateway> StartGatewayAsync(string portPath, string pumpSerial, int retries = 3, TimeSpan? poll = null) => TestGateway.StartAsync(_folder, new Dictionary<string, string?>
    {
        ["Gateway:Serial:Ports:0:Path"] = portPath,
        ["Gateway:Serial:Ports:0:Family"] = MedtronicDriver.FamilyName,
        ["Gateway:Drivers:Medtronic:PumpSerials:0"] = pumpSerial,

        // The generated pumps keep UTC: so does this clinic, whatever this machine's zone.
        ["Gateway:ClinicTimeZone"] = "Etc/UTC",
        ["Gateway:Drivers:Medtronic:RadioTimeout"] = "00:00:01",
        ["Gateway:Drivers:ResponseTimeout"] = "00:00:01",
        ["Gateway:Drivers:Retries"] = retries.ToString(CultureInfo.InvariantCulture),
        ["Gateway:Drivers:PollInterval"] = (poll ?? TimeSpan.FromMinutes(1)).ToString("c", CultureInfo.InvariantCulture),
    });
}
