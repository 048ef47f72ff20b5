using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using Proto = PumpGateway.Api.V1;
using Therapy = PumpGateway.Fakes.Scenario;

namespace PumpGateway.EndToEnd.Tests;

/// <summary>
/// An IDS insulin pump emulator, driven by the therapy scenario and registered as a BlueZ GATT
/// application on the loopback; the real gateway discovers it, downloads its history through the
/// IDD RACP and follows it live. The scenario is the ground truth the stored history is held to.
/// </summary>
public sealed class IdsPumpTests
{
    private static readonly TimeSpan Timeout = TestGateway.Timeout;

    [Fact]
    public async Task The_history_is_stored_exactly_once_with_the_scenarios_therapy()
    {
        await using var bench = await BluetoothBench.StartAsync();
        var scenario = Scenario(days: 3, seed: 5);
        await using var pump = await IdsPumpEmulator.StartAsync(bench.Bus.Address, scenario, Options("Pump e2e-1"));
        await using var gateway = await bench.StartGatewayAsync();
        using var cancel = new CancellationTokenSource(Timeout);

        var events = await gateway.ReadStoredThroughCursorAsync(IdsDriver.FamilyName, "history", pump.History[^1].SequenceNumber, cancel.Token);

        AssertMatches(Expected(pump), pump, FromHistory(events).ToList());
    }

    [Fact]
    public async Task A_link_dropped_mid_history_resumes_from_the_reference_cursor_with_nothing_missing_or_twice()
    {
        await using var bench = await BluetoothBench.StartAsync();
        var scenario = Scenario(days: 4, seed: 9);
        await using var pump = await IdsPumpEmulator.StartAsync(bench.Bus.Address, scenario, Options("Pump e2e-2"));
        var history = pump.History;
        var link = await bench.Loopback.WaitForDeviceAsync("Pump e2e-2", Timeout);
        link.Faults.DropLinkAfterNotifications(history.Count / 2);
        await using var gateway = await bench.StartGatewayAsync();
        using var cancel = new CancellationTokenSource(Timeout);

        var events = await gateway.ReadStoredThroughCursorAsync(IdsDriver.FamilyName, "history", history[^1].SequenceNumber, cancel.Token);

        AssertMatches(Expected(pump), pump, FromHistory(events).ToList());
        Assert.Equal(1, link.Counters.LinksDropped);
        var reports = pump.Peripheral.Writes
            .Where(w => w.Characteristic.Characteristic == IdsUuids.RecordAccessControlPoint)
            .Select(w => IdsRacpCodec.DecodeRequest(w.Value, IdsDialect.SpecificationWithE2e))
            .Where(r => r.OpCode == IdsRacpOpCode.ReportStoredRecords)
            .ToList();
        Assert.Equal(IdsRacpOperator.AllRecords, reports[0].Operator);
        Assert.Equal(IdsRacpOperator.GreaterThanOrEqualTo, reports[1].Operator);

        // The resume starts at the last Reference Time stored, at or before the cursor, never after it.
        var resumedAt = reports[1].SequenceNumber!.Value;
        Assert.IsType<IdsReferenceTimeEvent>(history.Single(h => h.SequenceNumber == resumedAt));
        Assert.InRange(resumedAt, history[0].SequenceNumber, history[(history.Count / 2) + 1].SequenceNumber);
    }

    [Fact]
    public async Task A_live_annunciation_reaches_the_subscriber_as_a_normalized_alarm_with_its_vendor_code_and_its_end_follows()
    {
        await using var bench = await BluetoothBench.StartAsync();
        await using var pump = await IdsPumpEmulator.StartAsync(bench.Bus.Address, Scenario(days: 1, seed: 2), Options("Pump e2e-3"));
        await using var gateway = await bench.StartGatewayAsync();
        using var cancel = new CancellationTokenSource(Timeout);
        await gateway.ReadStoredThroughCursorAsync(IdsDriver.FamilyName, "history", pump.History[^1].SequenceNumber, cancel.Token);
        var head = (ulong)await gateway.HeadAsync(cancel.Token);

        var raised = pump.RaiseAnnunciation(IdsAnnunciationType.OcclusionDetected);
        var live = await gateway.ReadUntilAsync(head, e => e.Any(x => x.Alarm?.Transition == Proto.Alarm.Types.Transition.Raised), cancel.Token);
        var alarm = live.Single(e => e.Alarm is not null);
        Assert.Equal((Proto.Alarm.Types.Kind.Occlusion, "ids:0x003C", raised.InstanceId.ToString(System.Globalization.CultureInfo.InvariantCulture)), (alarm.Alarm.Kind, alarm.Alarm.VendorCode, alarm.Alarm.InstanceKey));
        Assert.Equal(Proto.Alarm.Types.Severity.Alarm, alarm.Alarm.Severity);

        Assert.True(pump.ConfirmAnnunciation(raised.InstanceId));
        var cleared = await gateway.ReadUntilAsync(head, e => e.Any(x => x.Alarm?.Transition == Proto.Alarm.Types.Transition.Cleared), cancel.Token);
        Assert.Equal(alarm.Alarm.InstanceKey, cleared.Single(e => e.Alarm?.Transition == Proto.Alarm.Types.Transition.Cleared).Alarm.InstanceKey);
        Assert.Single(cleared, e => e.Alarm?.Transition == Proto.Alarm.Types.Transition.Raised);
    }

    [Fact]
    public async Task An_annunciation_with_a_bad_e2e_crc_is_rejected_and_never_stored()
    {
        await using var bench = await BluetoothBench.StartAsync();
        await using var pump = await IdsPumpEmulator.StartAsync(bench.Bus.Address, Scenario(days: 1, seed: 3), Options("Pump e2e-4"));
        await using var gateway = await bench.StartGatewayAsync();
        using var cancel = new CancellationTokenSource(Timeout);
        await gateway.ReadStoredThroughCursorAsync(IdsDriver.FamilyName, "history", pump.History[^1].SequenceNumber, cancel.Token);
        var head = (ulong)await gateway.HeadAsync(cancel.Token);

        var forged = IdsAnnunciationStatusCodec.Encode(
            new IdsAnnunciationStatus(new IdsAnnunciation(4242, IdsAnnunciationType.BatteryEmpty, IdsAnnunciationState.Pending)) { E2eCounter = 9 },
            IdsDialect.SpecificationWithE2e);
        forged[^1] ^= 0xA5;
        Assert.True(pump.Peripheral.Notify(IdsPumpEmulator.Characteristic(IdsCharacteristic.AnnunciationStatus, IdsDialect.SpecificationWithE2e), forged));
        var genuine = pump.RaiseAnnunciation(IdsAnnunciationType.ReservoirLow);

        var after = await gateway.ReadUntilAsync(head, e => e.Any(x => x.Alarm is not null), cancel.Token);
        var alarm = Assert.Single(after, e => e.Alarm is not null);
        Assert.Equal(genuine.InstanceId.ToString(System.Globalization.CultureInfo.InvariantCulture), alarm.Alarm.InstanceKey);
        Assert.Equal(Proto.Alarm.Types.Kind.ReservoirLow, alarm.Alarm.Kind);
    }

    [Fact]
    public async Task The_gateway_sends_the_pump_nothing_but_reads()
    {
        await using var bench = await BluetoothBench.StartAsync();
        await using var pump = await IdsPumpEmulator.StartAsync(bench.Bus.Address, Scenario(days: 1, seed: 4), Options("Pump e2e-5"));
        await using var gateway = await bench.StartGatewayAsync();
        using var cancel = new CancellationTokenSource(Timeout);
        await gateway.ReadStoredThroughCursorAsync(IdsDriver.FamilyName, "history", pump.History[^1].SequenceNumber, cancel.Token);

        Assert.Empty(pump.RefusedCommands);
        Assert.False(pump.EverChangedTherapy);
        Assert.NotEmpty(pump.Peripheral.Writes);
        Assert.All(pump.Peripheral.Writes, write =>
        {
            Assert.True(write.Accepted);
            Assert.Equal(IdsUuids.RecordAccessControlPoint, write.Characteristic.Characteristic);
            var request = IdsRacpCodec.DecodeRequest(write.Value, IdsDialect.SpecificationWithE2e);
            Assert.Contains(request.OpCode, new[] { IdsRacpOpCode.ReportStoredRecords, IdsRacpOpCode.ReportNumberOfStoredRecords });
        });
    }

    /// <summary>What the scenario says the pump recorded, in the telemetry the gateway makes of it.</summary>
    private static Counts Expected(IdsPumpEmulator pump)
    {
        var events = pump.HistoryEntries.Select(e => e.Source).OfType<TherapyEvent>().Distinct().ToList();
        return new Counts(
            Boluses: events.OfType<BolusDelivered>().Count(),
            TemporaryBasals: events.Count(e => e is TemporaryBasalStarted or TemporaryBasalChanged or TemporaryBasalEnded),
            Suspensions: events.Count(e => e is DeliverySuspended or DeliveryResumed),
            Alarms: events.OfType<AlarmChanged>().Count(),
            DailyTotals: events.OfType<DailyTotal>().Count(),
            ClockSets: events.OfType<ClockChanged>().Count());
    }

    private static void AssertMatches(Counts expected, IdsPumpEmulator pump, List<Proto.TelemetryEvent> stored)
    {
        Assert.Equal(stored.Count, stored.Select(e => e.EventId).Distinct().Count());
        var actual = new Counts(
            stored.Count(e => e.Bolus is not null),
            stored.Count(e => e.TemporaryBasal is not null && e.TemporaryBasal.Phase != Proto.TemporaryBasal.Types.Phase.DeliveredRateChanged),
            stored.Count(e => e.DeliveryState is not null),
            stored.Count(e => e.Alarm is not null),
            stored.Count(e => e.DailyInsulinTotal is not null),
            stored.Count(e => e.PumpMaintenance?.Action == Proto.PumpMaintenance.Types.Action.ClockSet));
        Assert.Equal(expected, actual);

        // Every change of the delivered basal rate once: a scheduled rate, or the rate delivered under a temporary basal.
        Assert.Equal(
            pump.History.OfType<IdsDeliveredBasalRateChangedEvent>().Count(),
            stored.Count(e => e.ScheduledBasal is not null || e.TemporaryBasal?.Phase == Proto.TemporaryBasal.Types.Phase.DeliveredRateChanged));

        // Each bolus as the pump sent it: delivered and programmed amounts to the device's resolution.
        var delivered = pump.History.OfType<IdsBolusDeliveredPart1Event>().ToList();
        var boluses = stored.Where(e => e.Bolus is not null).OrderBy(e => e.DeviceTimeRaw).ToList();
        Assert.Equal(delivered.Select(d => d.FastAmount.ToDecimal()), boluses.Select(b => (decimal?)decimal.Parse(b.Bolus.DeliveredUnits, System.Globalization.CultureInfo.InvariantCulture)));
        var scenarioBoluses = pump.HistoryEntries.Select(e => e.Source).OfType<BolusDelivered>().Distinct().ToList();
        Assert.Equal(
            scenarioBoluses.Select(b => b.Outcome != BolusOutcome.Completed),
            boluses.Select(b => b.Bolus.Cancelled));
        Assert.Equal(
            scenarioBoluses.Select(b => b.Type switch { Telemetry.BolusType.Square => Proto.Bolus.Types.Type.Square, Telemetry.BolusType.DualWave => Proto.Bolus.Types.Type.DualWave, _ => Proto.Bolus.Types.Type.Normal }),
            boluses.Select(b => b.Bolus.Type));
    }

    /// <summary>The events made from the pump's history (not its live status reads).</summary>
    private static IEnumerable<Proto.TelemetryEvent> FromHistory(IEnumerable<Proto.TelemetryEvent> events) =>
        events.Where(e => e.TimeBasis == Proto.TimeBasis.DeviceUtc && e.DeviceId.StartsWith("ids-", StringComparison.Ordinal)
            && (e.Bolus is not null || e.ScheduledBasal is not null || e.TemporaryBasal is not null || e.DeliveryState is not null || e.Alarm is not null || e.DailyInsulinTotal is not null
                || e.PumpMaintenance?.Action == Proto.PumpMaintenance.Types.Action.ClockSet));

    private static TherapyScenario Scenario(int days, int seed)
    {
        var now = DateTime.UtcNow.AddHours(1);
        var end = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
        return new TherapyScenario(new TherapyScenarioOptions { Seed = seed, Start = end.AddDays(-days), Duration = TimeSpan.FromDays(days), ClockChangesPerMonth = 10 });
    }

    private static IdsPumpOptions Options(string name) => new() { LocalName = name, SerialNumber = "SN-" + name, TimeScale = 0 };

    private sealed record Counts(int Boluses, int TemporaryBasals, int Suspensions, int Alarms, int DailyTotals, int ClockSets);
}
