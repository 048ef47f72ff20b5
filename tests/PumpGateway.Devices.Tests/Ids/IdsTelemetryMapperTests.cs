using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;
using PumpGateway.Telemetry;

namespace PumpGateway.Devices.Tests.Ids;

public sealed class IdsTelemetryMapperTests
{
    private static readonly DeviceId Pump = DeviceId.FromSerial("ids", "PUMP-1");
    private static readonly DateTime Noon = new(2026, 11, 20, 12, 0, 0, DateTimeKind.Unspecified);

    [Fact]
    public void Times_count_from_the_reference_time_in_its_zone()
    {
        var mapper = new IdsTelemetryMapper(Pump);
        mapper.Map(Reference(1, Noon, quarterHours: 4, IdsDstOffset.DaylightTime));
        var state = Assert.IsType<DeliveryStateChange>(Assert.Single(mapper.Map(new IdsTherapyControlStateChangedEvent(2, 90, IdsTherapyControlState.Run, IdsTherapyControlState.Pause))));

        Assert.Equal(Noon.AddSeconds(90), state.DeviceTime.Clock);
        Assert.Equal(new DateTimeOffset(Noon.AddSeconds(90).AddHours(-2), TimeSpan.Zero), state.Utc);
        Assert.Equal(TimeBasis.DeviceUtc, state.TimeBasis);
        Assert.True(state.Suspended);
        Assert.Equal(EventId.For(Pump, "ids", "2"), state.Id);
        Assert.Equal(1u, mapper.ReferenceSequence);
    }

    [Fact]
    public void A_bolus_is_joined_from_its_parts_with_programmed_and_delivered_amounts_and_its_start()
    {
        var mapper = new IdsTelemetryMapper(Pump);
        mapper.Map(Reference(10, Noon));
        Assert.Empty(mapper.Map(new IdsBolusProgrammedPart1Event(11, 60, 7, IdsBolusType.Multiwave, Iu(2.5m), Iu(1.5m), 120)));
        Assert.Equal(10u, mapper.CompleteThrough);
        Assert.Empty(mapper.Map(new IdsBolusProgrammedPart2Event(12, 60)));
        Assert.Equal(12u, mapper.CompleteThrough);
        Assert.Empty(mapper.Map(new IdsBolusDeliveredPart1Event(13, 7300, 7, IdsBolusType.Multiwave, Iu(2.5m), Iu(0.75m), 60)));
        Assert.Equal(12u, mapper.CompleteThrough);
        var bolus = Assert.IsType<Bolus>(Assert.Single(mapper.Map(new IdsBolusDeliveredPart2Event(14, 7300, 30, EndReason: IdsBolusEndReason.Canceled))));

        Assert.Equal(14u, mapper.CompleteThrough);
        Assert.Equal(BolusType.DualWave, bolus.BolusType);
        Assert.Equal((2.5m, 2.5m, 1.5m, 0.75m), (bolus.ProgrammedUnits, bolus.DeliveredUnits, bolus.ProgrammedExtendedUnits, bolus.DeliveredExtendedUnits));
        Assert.True(bolus.Cancelled);
        Assert.Equal(TimeSpan.FromMinutes(120), bolus.ExtendedDuration);
        Assert.Equal(Noon.AddSeconds(60 + 30), bolus.DeviceTime.Clock);
        Assert.Equal(EventId.For(Pump, "ids", "13"), bolus.Id);
    }

    [Fact]
    public void Temporary_basals_start_change_and_end_and_a_rate_change_under_one_is_the_rate_it_delivers()
    {
        var mapper = new IdsTelemetryMapper(Pump);
        mapper.Map(Reference(1, Noon));
        Assert.IsType<ScheduledBasal>(Assert.Single(mapper.Map(new IdsDeliveredBasalRateChangedEvent(2, 0, Iu(0.8m), Iu(0.95m)))));
        var started = Assert.IsType<TemporaryBasal>(Assert.Single(mapper.Map(new IdsTbrAdjustmentStartedEvent(3, 600, IdsTbrType.Relative, MedicalFloat.SFloatOf(0.5m, -1), 90))));
        var delivering = Assert.IsType<TemporaryBasal>(Assert.Single(mapper.Map(new IdsDeliveredBasalRateChangedEvent(4, 3600, Iu(0.95m), Iu(1.0m)))));
        var changed = Assert.IsType<TemporaryBasal>(Assert.Single(mapper.Map(new IdsTbrAdjustmentChangedEvent(5, 1200, IdsTbrType.Absolute, Iu(0.4m), 60, 10))));
        var ended = Assert.IsType<TemporaryBasal>(Assert.Single(mapper.Map(new IdsTbrAdjustmentEndedEvent(6, 4200, IdsTbrType.Absolute, 60, IdsTbrEndReason.Canceled))));

        Assert.Equal((TemporaryBasalPhase.Started, 50, (decimal?)null), (started.Phase, started.Percent, started.UnitsPerHour));
        Assert.Equal((TemporaryBasalPhase.DeliveredRateChanged, (int?)null, 1.0m, TimeSpan.FromMinutes(90)), (delivering.Phase, delivering.Percent, delivering.UnitsPerHour!.Value, delivering.ProgrammedDuration));
        Assert.Equal((TemporaryBasalPhase.Changed, (int?)null, 0.4m), (changed.Phase, changed.Percent, changed.UnitsPerHour));
        Assert.Equal((TemporaryBasalPhase.Ended, 0.4m, TimeSpan.FromMinutes(60), "Canceled"), (ended.Phase, ended.UnitsPerHour!.Value, ended.EffectiveDuration!.Value, ended.EndReason!));
        Assert.IsType<ScheduledBasal>(Assert.Single(mapper.Map(new IdsDeliveredBasalRateChangedEvent(7, 4200, Iu(0.4m), Iu(1.0m)))));
    }

    [Fact]
    public void Annunciation_changes_become_alarm_transitions_with_the_same_identity_live_and_from_history()
    {
        var mapper = new IdsTelemetryMapper(Pump);
        mapper.Map(Reference(1, Noon));
        mapper.Map(new IdsAnnunciationStatusChangedPart1Event(2, 30, 41, IdsAnnunciationType.OcclusionDetected, IdsAnnunciationState.Pending));
        var raised = Assert.IsType<Alarm>(Assert.Single(mapper.Map(new IdsAnnunciationStatusChangedPart2Event(3, 30))));
        var live = mapper.MapAnnunciation(new IdsAnnunciation(41, IdsAnnunciationType.OcclusionDetected, IdsAnnunciationState.Pending), DateTimeOffset.UtcNow);

        Assert.Equal((AlarmKind.Occlusion, AlarmTransition.Raised, "ids:0x003C", "41"), (raised.AlarmKind, raised.Transition, raised.VendorCode, raised.InstanceKey!));
        Assert.Equal(raised.Id, live.Id);
        Assert.Equal(TimeBasis.GatewayReceipt, live.TimeBasis);
        Assert.Equal(AlarmTransition.Cleared, mapper.MapAnnunciation(new IdsAnnunciation(41, IdsAnnunciationType.OcclusionDetected, IdsAnnunciationState.Confirmed), DateTimeOffset.UtcNow).Transition);
        Assert.Equal(AlarmTransition.Acknowledged, mapper.MapAnnunciation(new IdsAnnunciation(41, IdsAnnunciationType.OcclusionDetected, IdsAnnunciationState.Snoozed), DateTimeOffset.UtcNow).Transition);
    }

    [Fact]
    public void A_refilled_reservoir_a_prime_a_daily_total_and_a_clock_set_are_recorded()
    {
        var mapper = new IdsTelemetryMapper(Pump);
        mapper.Map(Reference(1, Noon));
        Assert.IsType<DeviceStatus>(Assert.Single(mapper.Map(new IdsReservoirRemainingAmountChangedEvent(2, 0, Iu(12m)))));
        var refill = mapper.Map(new IdsReservoirRemainingAmountChangedEvent(3, 600, Iu(180m)));
        var filled = Assert.Single(refill.OfType<PumpMaintenance>());
        Assert.Equal((PumpMaintenanceAction.ReservoirFilled, 180m), (filled.Action, filled.Units!.Value));
        var primed = Assert.IsType<PumpMaintenance>(Assert.Single(mapper.Map(new IdsPrimingDoneEvent(4, 700, Iu(9.5m), IdsPrimingTerminationReason.ProgrammedAmountReached))));
        Assert.Equal((PumpMaintenanceAction.Primed, 9.5m), (primed.Action, primed.Units!.Value));
        var total = Assert.IsType<DailyInsulinTotal>(Assert.Single(mapper.Map(new IdsTotalDailyInsulinDeliveryEvent(5, 800, Iu(22.4m), Iu(18.1m), 2026, 11, 19))));
        Assert.Equal((new DateOnly(2026, 11, 19), 18.1m, 22.4m, 40.5m), (total.Day, total.BasalUnits!.Value, total.BolusUnits!.Value, total.TotalUnits));

        var set = Assert.IsType<PumpMaintenance>(Assert.Single(mapper.Map(Reference(6, Noon.AddHours(3), relativeOffset: 1000, reason: IdsRecordingReason.SetDateTime))));
        Assert.Equal((PumpMaintenanceAction.ClockSet, Noon.AddSeconds(1000), Noon.AddHours(3)), (set.Action, set.ClockBefore!.Value, set.ClockAfter!.Value));
        var after = Assert.IsType<DeliveryStateChange>(Assert.Single(mapper.Map(new IdsTherapyControlStateChangedEvent(7, 10, IdsTherapyControlState.Pause, IdsTherapyControlState.Run))));
        Assert.Equal(Noon.AddHours(3).AddSeconds(10), after.DeviceTime.Clock);
        Assert.False(after.Suspended);
    }

    [Fact]
    public void Records_before_any_reference_time_are_counted_not_placed_and_a_lone_part_1_is_dropped()
    {
        var mapper = new IdsTelemetryMapper(Pump);
        Assert.Empty(mapper.Map(new IdsTherapyControlStateChangedEvent(1, 5, IdsTherapyControlState.Run, IdsTherapyControlState.Stop)));
        Assert.Equal(1, mapper.Unplaced);
        mapper.Map(Reference(2, Noon));
        mapper.Map(new IdsBolusDeliveredPart1Event(3, 10, 1, IdsBolusType.Fast, Iu(1m), Iu(0m), 0));
        Assert.IsType<DeliveryStateChange>(Assert.Single(mapper.Map(new IdsTherapyControlStateChangedEvent(4, 20, IdsTherapyControlState.Stop, IdsTherapyControlState.Run))));
        Assert.Equal(4u, mapper.CompleteThrough);
    }

    /// <summary>The finest SFLOAT resolution the amount fits in, as a pump would send it.</summary>
    private static MedicalFloat Iu(decimal units) => MedicalFloat.SFloatOf(units, units * 100 <= 2045 ? -2 : units * 10 <= 2045 ? -1 : 0);

    private static IdsReferenceTimeEvent Reference(uint sequence, DateTime local, sbyte quarterHours = 0, IdsDstOffset dst = IdsDstOffset.StandardTime, ushort relativeOffset = 0, IdsRecordingReason reason = IdsRecordingReason.PeriodicRecording) =>
        new(sequence, relativeOffset, reason, IdsDateTime.From(local), quarterHours, dst);
}
