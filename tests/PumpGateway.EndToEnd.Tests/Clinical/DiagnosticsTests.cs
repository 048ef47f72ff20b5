using PumpGateway.Devices;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Clinical;

/// <summary>
/// DiagnosticsService.GetDiagnostics on an emulated IDS pump, as a technician on call reads it: what
/// the pump is, how its link fared under faults the test injects and counts, where its battery and
/// reservoir stand and are heading, and which alarms are still open.
/// </summary>
public sealed class DiagnosticsTests
{
    private const string Name = "Pump clinical-diagnostics";

    [Fact]
    public async Task Diagnostics_give_the_pumps_identity_the_faults_injected_its_levels_and_trend_and_its_open_alarms()
    {
        // Three days to a midnight; a low battery the wearer leaves for days, raised in the last evening.
        var start = ByHand.MidnightDaysAgo(3);
        var batteryLow = start.AddDays(2).AddHours(20);
        var scenario = new TherapyScenario(new TherapyScenarioOptions
        {
            Seed = 31,
            Start = start,
            Duration = TimeSpan.FromDays(3),
            RandomAlarmsPerWeek = 0,
            UndetectedFailuresPerMonth = 0,
            ScriptedAlarms = [new ScriptedAlarm(batteryLow, AlarmKind.BatteryLow) { Lasting = TimeSpan.FromDays(3) }],
        });
        var options = new IdsPumpOptions { LocalName = Name, SerialNumber = "SN-DIAGNOSTICS", Firmware = "3.1.7", TimeScale = 0, UtcOffset = TimeSpan.Zero };
        using var folder = new ScratchFolder();
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        await using var bench = await BluetoothBench.StartAsync().WaitAsync(cancel.Token);
        await using var pump = await IdsPumpEmulator.StartAsync(bench.Bus.Address, scenario, options, cancellationToken: cancel.Token).WaitAsync(cancel.Token);
        var radio = await bench.Loopback.WaitForDeviceAsync(Name, ClinicGateway.Timeout, cancel.Token);
        await using var gateway = await ClinicGateway.BluetoothAsync(folder.Path, bench.Bus.Address).WaitAsync(cancel.Token);
        var device = await ClinicGateway.CursorReachedAsync(gateway, IdsDriver.FamilyName, "history", pump.History[^1].SequenceNumber, cancel.Token);

        // Two sessions, each ended by the radio dropping the link after values with a bad E2E-CRC:
        // three in the first, two in the second. Each is followed by a genuine annunciation, stored
        // once the bad ones before it were seen.
        var raised = new List<IdsRaisedAnnunciation>
        {
            await BadValuesThenAnnunciationAsync(gateway, pump, device.DeviceId, 3, IdsAnnunciationType.TemperatureOutOfRange, cancel.Token),
        };
        await radio.DropLinkAsync().WaitAsync(cancel.Token);
        await LinkReportsAsync(gateway, device.DeviceId, 1, cancel.Token);
        raised.Add(await BadValuesThenAnnunciationAsync(gateway, pump, device.DeviceId, 2, IdsAnnunciationType.MaxDelivery, cancel.Token));
        await radio.DropLinkAsync().WaitAsync(cancel.Token);
        var reports = await LinkReportsAsync(gateway, device.DeviceId, 2, cancel.Token);

        // What the gateway read and the diagnostics made of it, read again until no session wrote in between.
        Proto.Diagnostics diagnostics;
        List<Proto.TelemetryEvent> stored;
        do
        {
            stored = await ClinicGateway.HistoryAsync(gateway, device.DeviceId, cancel.Token);
            diagnostics = await ClinicGateway.DiagnosticsAsync(gateway, device.DeviceId, cancel.Token);
        }
        while (stored.Count != (await ClinicGateway.HistoryAsync(gateway, device.DeviceId, cancel.Token)).Count);

        // Identity: what the pump's Device Information says.
        var identity = diagnostics.Device;
        Assert.Equal(
            (DeviceId.FromSerial(IdsDriver.FamilyName, options.SerialNumber).Value, IdsDriver.FamilyName, Proto.DeviceCategory.InsulinPump, options.Model, $"{options.Manufacturer} {options.Model}", options.Firmware),
            (identity.DeviceId, identity.Family, identity.Category, identity.Model, identity.ProductName, identity.FirmwareVersion));

        // The link: two sessions, both ended by a failure, 3 + 2 CRC errors, nothing retried over BLE.
        var link = diagnostics.Link;
        Assert.Equal((2, 2, 5L, 0L), (link.Sessions, link.FailedSessions, link.CrcErrors, link.Retries));
        Assert.Equal([3L, 2L], reports.Select(r => r.LinkReport.CrcErrors));
        Assert.All(reports, r => Assert.NotEqual(LinkReport.SessionEnded, r.LinkReport.EndReason));
        Assert.Equal(reports.Sum(r => r.LinkReport.BytesIn), link.BytesIn);
        Assert.Equal(reports.Sum(r => r.LinkReport.Timeouts), link.Timeouts);
        Assert.Equal(reports[^1].EventId, diagnostics.LastSession.EventId);

        // The levels now are the scenario's pump status (the reservoir as an SFLOAT carries it), read at each connection.
        var status = scenario.Status;
        var levels = stored.Where(e => e.DeviceStatus is not null).ToList();
        var battery = levels.Where(e => e.DeviceStatus.HasBatteryPercent).Select(e => (e.UtcTime.ToDateTimeOffset(), (double)e.DeviceStatus.BatteryPercent)).ToList();
        var reservoir = levels.Where(e => e.DeviceStatus.ReservoirUnits.Length > 0).Select(e => (e.UtcTime.ToDateTimeOffset(), (double)ClinicGateway.Units(e.DeviceStatus.ReservoirUnits)!.Value)).ToList();

        // A reading at each connection (the gateway keeps one per second: a reconnection within the same
        // second as the last read is not stored again), the last of them the scenario's status.
        Assert.NotEmpty(battery);
        Assert.All(battery, b => Assert.Equal(status.BatteryPercent, b.Item2));
        AssertLevel(diagnostics.Battery, "%", status.BatteryPercent, battery);
        AssertLevel(diagnostics.Reservoir, "U", (double)ByHand.Sfloat(status.ReservoirUnits), reservoir);

        // The history's reservoir levels are the scenario's (after its fills, primes and every 5 U).
        Assert.Equal(
            FourteenDaysFixture.IdsReservoirLevels(scenario.Events),
            levels.Where(e => e.TimeBasis == Proto.TimeBasis.DeviceUtc).Select(e => (e.UtcTime.ToDateTimeOffset(), (double)ClinicGateway.Units(e.DeviceStatus.ReservoirUnits)!.Value)));

        // Open alarms: the scenario's alarms raised and never cleared (a later one of the same IDS type
        // takes over an older one still open), then the two raised by hand.
        var alarms = scenario.Events.OfType<AlarmChanged>().ToList();
        var open = alarms.Where(a => a.Transition == AlarmTransition.Raised)
            .Where(a => !alarms.Any(c => c.AlarmId == a.AlarmId && c.Transition == AlarmTransition.Cleared))
            .Where(a => !alarms.Any(l => l.Transition == AlarmTransition.Raised && l.Sequence > a.Sequence && IdsPumpHistory.AnnunciationType(l.Kind) == IdsPumpHistory.AnnunciationType(a.Kind)))
            .Select(a => (FourteenDaysFixture.IdsKind(a.Kind), ByHand.Utc(a.Time), alarms.Where(k => k.AlarmId == a.AlarmId && k.Transition == AlarmTransition.Acknowledged).Select(k => (DateTimeOffset?)ByHand.Utc(k.Time)).FirstOrDefault()))
            .ToList();
        Assert.Contains(open, o => o.Item1 == Proto.Alarm.Types.Kind.BatteryLow && o.Item2 == ByHand.Utc(batteryLow));
        var byHand = stored.Where(e => e.Alarm is not null && raised.Any(r => r.InstanceId.ToString(System.Globalization.CultureInfo.InvariantCulture) == e.Alarm.InstanceKey)).ToList();
        open.AddRange(byHand.Select(e => (e.Alarm.Kind, e.UtcTime.ToDateTimeOffset(), (DateTimeOffset?)null)));
        Assert.Equal([Proto.Alarm.Types.Kind.Temperature, Proto.Alarm.Types.Kind.OverLimit], byHand.Select(e => e.Alarm.Kind));
        Assert.Equal(
            open.OrderBy(o => o.Item2),
            diagnostics.OpenAlarms.Select(a => (a.Kind, a.Raised.ToDateTimeOffset(), a.Acknowledged?.ToDateTimeOffset())));
        Assert.All(diagnostics.OpenAlarms, a => Assert.True(a.Open));

        // Two failed sessions in a day are not yet an unstable link (three are); CRC errors are, above 1 per
        // 10 kB received over a day's sessions: the first session's alone, or both together.
        var (at1, at2) = (reports[0].UtcTime.ToDateTimeOffset(), reports[1].UtcTime.ToDateTimeOffset());
        var both = 5 * 10_000.0 / reports.Sum(r => r.LinkReport.BytesIn);
        var first = 3 * 10_000.0 / reports[0].LinkReport.BytesIn;
        List<(DateTimeOffset, DateTimeOffset)> unstable = both > 1 ? [(at1, at2)] : first > 1 ? [(at1, at1)] : [];
        Assert.Equal(unstable, diagnostics.Findings.Where(f => f.Kind == Proto.Finding.Types.Kind.UnstableLink).Select(f => (f.From.ToDateTimeOffset(), f.To.ToDateTimeOffset())));
    }

    /// <summary>A level's last reading and the trend through the 48 hours before it, from the readings by hand.</summary>
    private static void AssertLevel(Proto.Level level, string unit, double now, List<(DateTimeOffset Utc, double Value)> readings)
    {
        var last = readings.MaxBy(r => r.Utc);
        Assert.Equal((now, unit, last.Utc), (level.Value, level.Unit, level.ReadAt.ToDateTimeOffset()));
        var line = ByHand.Level(readings, last.Utc)!;
        if (line.SlopePerHour is { } slope)
        {
            Assert.Equal(slope * 24, level.PerDay, 9);
        }
        else
        {
            Assert.False(level.HasPerDay);
        }

        Assert.Equal(line.EmptyAt, level.ProjectedEmpty?.ToDateTimeOffset());
    }

    /// <summary>
    /// Values on IDD Annunciation Status whose E2E-CRC is wrong (sent once the gateway listens), then a
    /// genuine annunciation; returns once the gateway stored the genuine one, so the bad ones were seen.
    /// </summary>
    private static async Task<IdsRaisedAnnunciation> BadValuesThenAnnunciationAsync(TestGateway gateway, IdsPumpEmulator pump, string deviceId, int bad, IdsAnnunciationType genuine, CancellationToken cancellationToken)
    {
        var characteristic = IdsPumpEmulator.Characteristic(IdsCharacteristic.AnnunciationStatus, IdsDialect.SpecificationWithE2e);
        for (var i = 0; i < bad; i++)
        {
            var forged = IdsAnnunciationStatusCodec.Encode(
                new IdsAnnunciationStatus(new IdsAnnunciation((ushort)(4000 + i), IdsAnnunciationType.BatteryEmpty, IdsAnnunciationState.Pending)) { E2eCounter = 200 },
                IdsDialect.SpecificationWithE2e);
            forged[^1] ^= 0xA5;
            while (!pump.Peripheral.Notify(characteristic, forged))
            {
                await Task.Delay(20, cancellationToken);
            }
        }

        var raised = pump.RaiseAnnunciation(genuine);
        Assert.NotNull(raised.IndicatedAt);
        var key = raised.InstanceId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ClinicGateway.HistoryUntilAsync(gateway, deviceId, e => e.Any(x => x.Alarm?.InstanceKey == key), cancellationToken);
        return raised;
    }

    private static async Task<List<Proto.TelemetryEvent>> LinkReportsAsync(TestGateway gateway, string deviceId, int count, CancellationToken cancellationToken) =>
        [.. (await ClinicGateway.HistoryUntilAsync(gateway, deviceId, e => e.Count(x => x.LinkReport is not null) >= count, cancellationToken))
            .Where(e => e.LinkReport is not null).OrderBy(e => e.Sequence)];
}
