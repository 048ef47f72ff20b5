using PumpGateway.Devices.Dexcom;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Dexcom;
using PumpGateway.Fakes.Medtronic;
using PumpGateway.Fakes.Scenario;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Clinical;

/// <summary>
/// Device clocks that are off: a device clock off by more than 5 minutes is a finding, never a silent
/// guess (ARCHITECTURE.md, "Time"). The gateway measures each clock when a session starts and keeps the
/// measurement in the session's link report, so each test ends its sessions by unplugging the device.
/// </summary>
/// <remarks>
/// A measured clock error is held to the clock set in the emulator within 2 s: the receiver and the
/// pump count whole seconds and answer over a serial link (and a radio), which is the measurement's
/// resolution; the finding itself is not measured, it is there or not, with the reports it rests on.
/// </remarks>
public sealed class ClockTests
{
    private static readonly TimeSpan Resolution = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_receiver_clock_twelve_minutes_ahead_is_a_clock_off_warning_and_its_readings_keep_their_true_time()
    {
        var ahead = TimeSpan.FromMinutes(12);

        // The scenario's times are the receiver's clock: true UTC plus the 12 minutes it is ahead.
        var start = ByHand.MidnightDaysAgo(2);
        var scenario = new GlucoseScenario(new GlucoseScenarioOptions { Seed = 12, Start = start, Duration = TimeSpan.FromDays(1) });
        var database = DexcomReceiverDatabase.FromScenario(scenario, "SM00001212", TimeSpan.FromHours(1));
        using var folder = new ScratchFolder();
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        await using var receiver = DexcomReceiverEmulator.Start(database, new DexcomEmulatorOptions { ClockOffset = ahead });
        await using var gateway = await ClinicGateway.SerialAsync(folder.Path, receiver.PortPath, DexcomDriver.FamilyName, "Etc/UTC").WaitAsync(cancel.Token);
        var device = await ClinicGateway.DeviceAsync(gateway, DexcomDriver.FamilyName, cancel.Token);
        var stored = await ClinicGateway.HistoryUntilAsync(gateway, device.DeviceId, e => SensorReadings(e).Count() == scenario.History.Count, cancel.Token);

        receiver.Unplug();
        var report = await LinkReportsAsync(gateway, device.DeviceId, 1, cancel.Token);
        var offset = report[0].LinkReport.ClockOffset.ToTimeSpan();
        Assert.InRange(offset - ahead, -Resolution, Resolution);

        // Every reading at its true time: the receiver's time less the offset measured.
        Assert.Equal(
            scenario.History.Select(s => (ByHand.Utc(s.Time) - offset, (double)s.MgDl)),
            SensorReadings(stored).Select(e => (e.UtcTime.ToDateTimeOffset(), e.Glucose.MgDl)).OrderBy(r => r.Item1));
        Assert.InRange(SensorReadings(stored).Min(e => e.UtcTime.ToDateTimeOffset()) - (ByHand.Utc(start) - ahead), -Resolution, Resolution);

        // The receiver keeps UTC: its offset is its error. More than 5 minutes, less than an hour: a warning.
        var diagnostics = await ClinicGateway.DiagnosticsAsync(gateway, device.DeviceId, cancel.Token);
        Assert.InRange(diagnostics.Link.LastClockError.ToTimeSpan() - ahead, -Resolution, Resolution);
        Assert.Equal(offset, diagnostics.Link.LastClockOffset.ToTimeSpan());
        var at = report[0].UtcTime.ToDateTimeOffset();
        Assert.Equal([new ExpectedFinding(Proto.Finding.Types.Kind.ClockOff, Proto.Finding.Types.Severity.Warning, at, at)], ClockFindings(diagnostics));
        Assert.Equal([report[0].EventId], diagnostics.Findings.Single(f => f.Kind == Proto.Finding.Types.Kind.ClockOff).EvidenceEventIds);
    }

    [Fact]
    public async Task A_pump_clock_three_minutes_ahead_is_within_the_threshold_and_no_finding()
    {
        var ahead = TimeSpan.FromMinutes(3);
        var wearer = Wearer(seed: 3);
        using var folder = new ScratchFolder();
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        await using var pump = ParadigmPumpEmulator.FromWearer(wearer, new ParadigmPumpOptions { Serial = Serial, ClockOffset = ahead });
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var gateway = await ClinicGateway.ParadigmAsync(folder.Path, stick.PortPath, Serial, "Etc/UTC").WaitAsync(cancel.Token);
        var device = await DownloadedAsync(gateway, wearer, cancel.Token);

        await IdleAsync(stick, cancel.Token);
        stick.Unplug();
        var report = (await LinkReportsAsync(gateway, device.DeviceId, 1, cancel.Token))[0].LinkReport;
        Assert.InRange(report.ClockError.ToTimeSpan() - ahead, -Resolution, Resolution);

        var diagnostics = await ClinicGateway.DiagnosticsAsync(gateway, device.DeviceId, cancel.Token);
        Assert.InRange(diagnostics.Link.LastClockError.ToTimeSpan() - ahead, -Resolution, Resolution);
        Assert.Empty(ClockFindings(diagnostics));
    }

    [Fact]
    public async Task A_pump_clock_that_gained_seven_minutes_between_two_docks_is_off_at_the_second_and_drifting_between_them()
    {
        var wearer = Wearer(seed: 4);
        using var folder = new ScratchFolder();
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        var link = Path.Combine(folder.Path, "stick");
        await using var gateway = await ClinicGateway.ParadigmAsync(folder.Path, link, Serial, "Etc/UTC").WaitAsync(cancel.Token);

        // First dock: the pump is a minute ahead (within the threshold).
        string deviceId;
        await using (var pump = ParadigmPumpEmulator.FromWearer(wearer, new ParadigmPumpOptions { Serial = Serial, ClockOffset = TimeSpan.FromMinutes(1) }))
        await using (var stick = CareLinkStickEmulator.Start(pump))
        {
            File.CreateSymbolicLink(link, stick.PortPath);
            deviceId = (await DownloadedAsync(gateway, wearer, cancel.Token)).DeviceId;
            await IdleAsync(stick, cancel.Token);
            stick.Unplug();
            File.Delete(link);
            await LinkReportsAsync(gateway, deviceId, 1, cancel.Token);
        }

        // Second dock, the same pump: its clock has gained 7 minutes since (nobody set it: no clock change in its history).
        await using (var pump = ParadigmPumpEmulator.FromWearer(wearer, new ParadigmPumpOptions { Serial = Serial, ClockOffset = TimeSpan.FromMinutes(8) }))
        await using (var stick = CareLinkStickEmulator.Start(pump))
        {
            File.CreateSymbolicLink(link, stick.PortPath);
            await IdleAsync(stick, cancel.Token);
            stick.Unplug();
            File.Delete(link);
            await LinkReportsAsync(gateway, deviceId, 2, cancel.Token);
        }

        var reports = await LinkReportsAsync(gateway, deviceId, 2, cancel.Token);
        var (first, second) = (reports[0], reports[1]);
        Assert.InRange(first.LinkReport.ClockError.ToTimeSpan() - TimeSpan.FromMinutes(1), -Resolution, Resolution);
        Assert.InRange(second.LinkReport.ClockError.ToTimeSpan() - TimeSpan.FromMinutes(8), -Resolution, Resolution);

        // Off at the second dock only (8 min, a warning); drifting from the first to the second (7 min apart, more than 5).
        var diagnostics = await ClinicGateway.DiagnosticsAsync(gateway, deviceId, cancel.Token);
        Assert.Equal(second.LinkReport.ClockError, diagnostics.Link.LastClockError);
        var (at1, at2) = (first.UtcTime.ToDateTimeOffset(), second.UtcTime.ToDateTimeOffset());
        Assert.Equal(
            [
                new ExpectedFinding(Proto.Finding.Types.Kind.ClockOff, Proto.Finding.Types.Severity.Warning, at1, at2),
                new ExpectedFinding(Proto.Finding.Types.Kind.ClockOff, Proto.Finding.Types.Severity.Warning, at2, at2),
            ],
            ClockFindings(diagnostics));
        var findings = diagnostics.Findings.Where(f => f.Kind == Proto.Finding.Types.Kind.ClockOff).ToList();
        Assert.Equal([first.EventId, second.EventId], findings[0].EvidenceEventIds);
        Assert.Equal([second.EventId], findings[1].EvidenceEventIds);
    }

    private const string Serial = "665455";

    /// <summary>Two days of a 554 wearer with its sensor, ended at a midnight at least a day ago: every bolus on it is over.</summary>
    private static Wearer Wearer(int seed)
    {
        var start = ByHand.MidnightDaysAgo(3);
        return new Wearer(new TherapyScenarioOptions { Seed = seed, Start = start, Duration = TimeSpan.FromDays(2) });
    }

    /// <summary>The pump, once its history and sensor glucose are stored (its suspensions and readings all there).</summary>
    private static async Task<Proto.Device> DownloadedAsync(TestGateway gateway, Wearer wearer, CancellationToken cancellationToken)
    {
        var device = await ClinicGateway.DeviceAsync(gateway, "medtronic", cancellationToken);
        var changes = wearer.Therapy.Events.Count(e => e is DeliverySuspended or DeliveryResumed);
        await ClinicGateway.HistoryUntilAsync(
            gateway,
            device.DeviceId,
            e => SensorReadings(e).Count() == wearer.Cgm.Readings.Count && e.Count(x => x.DeliveryState is not null) == changes,
            cancellationToken);
        return device;
    }

    /// <summary>
    /// Until the session has read the pump and is idle: the gateway asks the stick for its USB statistics
    /// once the stick is identified and again once the download is done (what it stored was stored before).
    /// </summary>
    private static async Task IdleAsync(CareLinkStickEmulator stick, CancellationToken cancellationToken)
    {
        while (stick.Received.Count(c => c.Opcode == CareLinkOpcode.InterfaceStatistics && c.Interface == CareLinkInterface.Usb) < 2)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Waits for <paramref name="count"/> link reports of the device: one per ended session.</summary>
    private static async Task<List<Proto.TelemetryEvent>> LinkReportsAsync(TestGateway gateway, string deviceId, int count, CancellationToken cancellationToken) =>
        [.. (await ClinicGateway.HistoryUntilAsync(gateway, deviceId, e => e.Count(x => x.LinkReport is not null) >= count, cancellationToken))
            .Where(e => e.LinkReport is not null).OrderBy(e => e.Sequence)];

    private static List<ExpectedFinding> ClockFindings(Proto.Diagnostics diagnostics) =>
        ByHand.AsFound(diagnostics.Findings.Where(f => f.Kind == Proto.Finding.Types.Kind.ClockOff));

    private static IEnumerable<Proto.TelemetryEvent> SensorReadings(IEnumerable<Proto.TelemetryEvent> events) =>
        events.Where(e => e.Glucose?.Source == Proto.GlucoseReading.Types.Source.Sensor);
}
