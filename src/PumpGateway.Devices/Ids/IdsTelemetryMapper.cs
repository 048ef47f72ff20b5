using System.Globalization;
using PumpGateway.Codecs;
using PumpGateway.Telemetry;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// IDD history to telemetry, in sequence order. History events carry seconds since the last
/// Reference Time event, so the mapper keeps that reference (and the TBR, the programmed boluses
/// and the reservoir seen so far) as its state: feed it from a Reference Time on. Split events
/// (bolus programmed / delivered / calculated, annunciation changed) are joined from their two
/// parts; <see cref="CompleteThrough"/> never passes a part 1 still waiting for its part 2, so a
/// cursor taken from it never cuts a pair.
/// </summary>
internal sealed class IdsTelemetryMapper
{
    private readonly DeviceId _device;
    private readonly Dictionary<ushort, (IdsBolusProgrammed Bolus, DateTime Local)> _programmed = [];
    private Reference? _reference;
    private IdsHistoryEvent? _waitingPart1;
    private IdsTbrAdjustmentStartedEvent? _tbr;
    private decimal? _reservoir;

    public IdsTelemetryMapper(DeviceId device)
    {
        _device = device;
    }

    /// <summary>The sequence number of the Reference Time the current times count from; null before one was seen.</summary>
    public uint? ReferenceSequence => _reference?.Sequence;

    /// <summary>The last sequence number whose meaning is complete: mapped, or a part 2 with its part 1.</summary>
    public uint? CompleteThrough { get; private set; }

    /// <summary>History events seen before any Reference Time: they cannot be placed in time and are not mapped.</summary>
    public int Unplaced { get; private set; }

    public IReadOnlyList<TelemetryEvent> Map(IdsHistoryEvent record)
    {
        var events = new List<TelemetryEvent>();
        if (_waitingPart1 is { } part1)
        {
            _waitingPart1 = null;
            if (IdsHistoryParts.ArePair(part1, record))
            {
                MapJoined(part1, record, events);
                CompleteThrough = record.SequenceNumber;
                return events;
            }

            // A part 1 without its part 2 is a device fault; it is dropped, and what follows is mapped.
        }

        if (IsPart1(record))
        {
            _waitingPart1 = record;
            return events;
        }

        if (record is IdsReferenceTimeEvent reference)
        {
            MapReference(reference, events);
        }
        else if (record is IdsReferenceTimeBaseOffsetEvent baseOffset)
        {
            if (baseOffset.BaseTime.ToDateTime() is { } baseUtc)
            {
                var offset = TimeSpan.FromMinutes(baseOffset.TimeOffsetMinutes);
                _reference = new Reference(baseOffset.SequenceNumber, baseUtc + offset, offset, TimeBasis.DeviceUtc);
            }
        }
        else if (_reference is null)
        {
            Unplaced++;
        }
        else
        {
            MapSingle(record, events);
        }

        CompleteThrough = record.SequenceNumber;
        return events;
    }

    /// <summary>A live Annunciation Status: the same event identity as the history record of the same change, so whichever comes first is kept.</summary>
    public Alarm MapAnnunciation(IdsAnnunciation annunciation, DateTimeOffset receivedAt) =>
        Annunciation(annunciation, DeviceTimestamp.FromClock(receivedAt.UtcDateTime), receivedAt, TimeBasis.GatewayReceipt);

    private static bool IsPart1(IdsHistoryEvent record) => record is IdsBolusProgrammedPart1Event or IdsBolusDeliveredPart1Event
        or IdsBolusCalculatedPart1Event or IdsAnnunciationStatusChangedPart1Event or IdsBolusTemplateChangedPart1Event;

    private void MapReference(IdsReferenceTimeEvent reference, List<TelemetryEvent> events)
    {
        if (reference.DateTime.ToDateTime() is not { } local)
        {
            return;
        }

        var known = reference.TimeZoneQuarterHours != IdsReferenceTimeEvent.UnknownTimeZone && reference.DstOffset != IdsDstOffset.Unknown;
        var offset = known ? TimeSpan.FromMinutes((reference.TimeZoneQuarterHours * 15) + DstMinutes(reference.DstOffset)) : TimeSpan.Zero;
        var previous = _reference;
        _reference = new Reference(reference.SequenceNumber, local, offset, known ? TimeBasis.DeviceUtc : TimeBasis.ClinicTimeZone);
        // The same record again (a notification repeated) sets nothing: only a later reference time is a clock set.
        if (reference.RecordingReason == IdsRecordingReason.SetDateTime && previous is not null && previous.Sequence != reference.SequenceNumber)
        {
            var before = previous.Local.AddSeconds(reference.RelativeOffsetSeconds);
            events.Add(new PumpMaintenance
            {
                Id = IdOf(reference.SequenceNumber),
                Device = _device,
                DeviceTime = DeviceTimestamp.FromClock(local),
                Utc = new DateTimeOffset(local - offset, TimeSpan.Zero),
                TimeBasis = _reference.Basis,
                Action = PumpMaintenanceAction.ClockSet,
                ClockBefore = before,
                ClockAfter = local,
            });
        }
    }

    private void MapSingle(IdsHistoryEvent record, List<TelemetryEvent> events)
    {
        var local = _reference!.Local.AddSeconds(record.RelativeOffsetSeconds);
        switch (record)
        {
            case IdsDeliveredBasalRateChangedEvent basal when _tbr is null:
                events.Add(Stamp(new ScheduledBasal { UnitsPerHour = Units(basal.NewRate), Profile = Context(basal.DeliveryContext) }, local, record));
                break;
            case IdsDeliveredBasalRateChangedEvent basal:
                // Under a temporary basal the pump reports what it delivers, not the schedule: the rate a relative
                // one gives once the schedule under it moves, at the pump's own rounding.
                events.Add(Stamp(
                    new TemporaryBasal { Phase = TemporaryBasalPhase.DeliveredRateChanged, UnitsPerHour = Units(basal.NewRate), ProgrammedDuration = TimeSpan.FromMinutes(_tbr.DurationProgrammedMinutes) },
                    local,
                    record));
                break;
            case IdsTbrAdjustmentStartedEvent started:
                _tbr = started;
                events.Add(Tbr(record, local, TemporaryBasalPhase.Started, started.TbrType, started.AdjustmentValue, started.DurationProgrammedMinutes));
                break;
            case IdsTbrAdjustmentChangedEvent changed:
                _tbr = new IdsTbrAdjustmentStartedEvent(changed.SequenceNumber, changed.RelativeOffsetSeconds, changed.TbrType, changed.AdjustmentValue, changed.DurationProgrammedMinutes, changed.TemplateNumber, changed.DeliveryContext);
                events.Add(Tbr(record, local, TemporaryBasalPhase.Changed, changed.TbrType, changed.AdjustmentValue, changed.DurationProgrammedMinutes));
                break;
            case IdsTbrAdjustmentEndedEvent ended:
                var last = _tbr;
                _tbr = null;
                events.Add(Tbr(record, local, TemporaryBasalPhase.Ended, ended.LastSetTbrType, last?.AdjustmentValue, last?.DurationProgrammedMinutes ?? ended.EffectiveDurationMinutes) with
                {
                    EffectiveDuration = TimeSpan.FromMinutes(ended.EffectiveDurationMinutes),
                    EndReason = Name(ended.EndReason),
                });
                break;
            case IdsTherapyControlStateChangedEvent state when state.NewState != IdsTherapyControlState.Undetermined:
                events.Add(Stamp(new DeliveryStateChange
                {
                    Suspended = state.NewState != IdsTherapyControlState.Run,
                    Reason = $"therapy control state {Name(state.OldState)} -> {Name(state.NewState)}",
                }, local, record));
                break;
            case IdsReservoirRemainingAmountChangedEvent reservoir:
                var units = Units(reservoir.RemainingAmount);
                if (_reservoir is { } before && units > before + 1)
                {
                    // The IDS has no "reservoir filled" event: a reservoir that gained insulin was changed.
                    events.Add(Stamp(new PumpMaintenance { Action = PumpMaintenanceAction.ReservoirFilled, Units = units }, local, record, "ids-fill"));
                }

                _reservoir = units;
                events.Add(Stamp(new DeviceStatus { ReservoirUnits = units }, local, record));
                break;
            case IdsPrimingDoneEvent primed:
                events.Add(Stamp(new PumpMaintenance
                {
                    Action = PumpMaintenanceAction.Primed,
                    Units = Units(primed.DeliveredAmount),
                    Detail = Name(primed.TerminationReason),
                }, local, record));
                break;
            case IdsTotalDailyInsulinDeliveryEvent total:
                events.Add(Stamp(new DailyInsulinTotal
                {
                    Day = new DateOnly(total.Year, total.Month, total.Day),
                    BasalUnits = Units(total.TotalBasal),
                    BolusUnits = Units(total.TotalBolus),
                    TotalUnits = Units(total.TotalBasal) + Units(total.TotalBolus),
                }, local, record));
                break;
            case IdsDataCorruptionEvent:
                events.Add(Annunciation(new IdsAnnunciation(0, IdsAnnunciationType.SystemIssue, IdsAnnunciationState.Pending), DeviceTimestamp.FromClock(local), Utc(local), _reference.Basis) with
                {
                    Id = IdOf(record),
                    VendorCode = "ids:data-corruption",
                    VendorText = "the pump reported corrupted history data",
                    InstanceKey = null,
                });
                break;
        }
    }

    private void MapJoined(IdsHistoryEvent part1, IdsHistoryEvent part2, List<TelemetryEvent> events)
    {
        if (_reference is null)
        {
            Unplaced += 2;
            return;
        }

        var local = _reference.Local.AddSeconds(part1.RelativeOffsetSeconds);
        switch (part1, part2)
        {
            case (IdsBolusProgrammedPart1Event p1, IdsBolusProgrammedPart2Event p2):
                var programmed = IdsHistoryParts.Join(p1, p2);
                _programmed[programmed.BolusId] = (programmed, local);
                break;
            case (IdsBolusDeliveredPart1Event d1, IdsBolusDeliveredPart2Event d2):
                events.Add(Bolus(IdsHistoryParts.Join(d1, d2), local));
                break;
            case (IdsAnnunciationStatusChangedPart1Event a1, IdsAnnunciationStatusChangedPart2Event a2):
                events.Add(Annunciation(IdsHistoryParts.Join(a1, a2).Annunciation, DeviceTimestamp.FromClock(local), Utc(local), _reference.Basis));
                break;
        }
    }

    private Bolus Bolus(IdsBolusDelivered delivered, DateTime deliveredLocal)
    {
        // The start is counted from the Bolus Programmed part 1 of the same bolus id; without it, the delivery record's own time.
        var found = _programmed.Remove(delivered.BolusId, out var programmed);
        var startLocal = found ? programmed.Local.AddSeconds(delivered.StartTimeOffsetSeconds) : deliveredLocal;
        var extended = delivered.BolusType != IdsBolusType.Fast;
        return Stamp(
            new Bolus
            {
                BolusType = delivered.BolusType switch
                {
                    IdsBolusType.Extended => BolusType.Square,
                    IdsBolusType.Multiwave => BolusType.DualWave,
                    _ => BolusType.Normal,
                },
                ProgrammedUnits = Units(found ? programmed.Bolus.FastAmount : delivered.FastAmount),
                DeliveredUnits = Units(delivered.FastAmount),
                ProgrammedExtendedUnits = extended ? Units(found ? programmed.Bolus.ExtendedAmount : delivered.ExtendedAmount) : null,
                DeliveredExtendedUnits = extended ? Units(delivered.ExtendedAmount) : null,
                ExtendedDuration = extended ? TimeSpan.FromMinutes(found ? programmed.Bolus.DurationMinutes : delivered.EffectiveDurationMinutes) : null,
            },
            startLocal,
            delivered.SequenceNumber);
    }

    private TemporaryBasal Tbr(IdsHistoryEvent record, DateTime local, TemporaryBasalPhase phase, IdsTbrType type, MedicalFloat? value, ushort minutes) => Stamp(
        new TemporaryBasal
        {
            Phase = phase,
            UnitsPerHour = type == IdsTbrType.Absolute && value is { } rate ? Units(rate) : null,
            // A relative adjustment is a factor of the scheduled rate (AndroidBLEParser TbrAdjustmentStarted): 0.5 is 50 %.
            Percent = type == IdsTbrType.Relative && value?.ToDecimal() is { } factor ? (int)Math.Round(factor * 100) : null,
            ProgrammedDuration = TimeSpan.FromMinutes(minutes),
        },
        local,
        record);

    private Alarm Annunciation(IdsAnnunciation annunciation, DeviceTimestamp deviceTime, DateTimeOffset utc, TimeBasis basis)
    {
        var (kind, severity) = Classify(annunciation.Type);
        return new Alarm
        {
            Id = EventId.For(_device, "ids-annunciation", $"{annunciation.InstanceId.ToString(CultureInfo.InvariantCulture)}/{Name(annunciation.Status)}"),
            Device = _device,
            DeviceTime = deviceTime,
            Utc = utc,
            TimeBasis = basis,
            AlarmKind = kind,
            Severity = severity,
            Transition = annunciation.Status switch
            {
                IdsAnnunciationState.Snoozed => AlarmTransition.Acknowledged,
                IdsAnnunciationState.Confirmed => AlarmTransition.Cleared,
                _ => AlarmTransition.Raised,
            },
            VendorCode = $"ids:0x{(ushort)annunciation.Type:X4}",
            VendorText = Name(annunciation.Type),
            InstanceKey = annunciation.InstanceId.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The IDS annunciation types on the alarm taxonomy (ARCHITECTURE.md).</summary>
    private static (AlarmKind Kind, AlarmSeverity Severity) Classify(IdsAnnunciationType type) => type switch
    {
        IdsAnnunciationType.SystemIssue => (AlarmKind.PumpError, AlarmSeverity.Critical),
        IdsAnnunciationType.MechanicalIssue => (AlarmKind.PumpError, AlarmSeverity.Critical),
        IdsAnnunciationType.OcclusionDetected => (AlarmKind.Occlusion, AlarmSeverity.Alarm),
        IdsAnnunciationType.ReservoirIssue => (AlarmKind.Other, AlarmSeverity.Alarm),
        IdsAnnunciationType.ReservoirEmpty => (AlarmKind.ReservoirEmpty, AlarmSeverity.Alarm),
        IdsAnnunciationType.ReservoirLow => (AlarmKind.ReservoirLow, AlarmSeverity.Warning),
        IdsAnnunciationType.PrimingIssue => (AlarmKind.Other, AlarmSeverity.Alarm),
        IdsAnnunciationType.InfusionSetIncomplete => (AlarmKind.InfusionSetDetached, AlarmSeverity.Alarm),
        IdsAnnunciationType.InfusionSetDetached => (AlarmKind.InfusionSetDetached, AlarmSeverity.Alarm),
        IdsAnnunciationType.PowerSourceInsufficient => (AlarmKind.NoDelivery, AlarmSeverity.Alarm),
        IdsAnnunciationType.BatteryEmpty => (AlarmKind.BatteryEmpty, AlarmSeverity.Critical),
        IdsAnnunciationType.BatteryLow => (AlarmKind.BatteryLow, AlarmSeverity.Warning),
        IdsAnnunciationType.BatteryMedium => (AlarmKind.BatteryLow, AlarmSeverity.Info),
        IdsAnnunciationType.BatteryFull => (AlarmKind.Other, AlarmSeverity.Info),
        IdsAnnunciationType.TemperatureOutOfRange or IdsAnnunciationType.Temperature => (AlarmKind.Temperature, AlarmSeverity.Warning),
        IdsAnnunciationType.MaxDelivery => (AlarmKind.OverLimit, AlarmSeverity.Warning),
        IdsAnnunciationType.DateTimeIssue or IdsAnnunciationType.AirPressureOutOfRange => (AlarmKind.Other, AlarmSeverity.Warning),
        _ => (AlarmKind.Other, AlarmSeverity.Info),
    };

    /// <summary>Fills in the identity (the record's sequence number; <paramref name="kind"/> for a second fact of one record) and times.</summary>
    private T Stamp<T>(T telemetry, DateTime local, IdsHistoryEvent record, string kind = "ids")
        where T : TelemetryEvent => Stamp(telemetry, local, record.SequenceNumber, kind);

    private T Stamp<T>(T telemetry, DateTime local, uint sequence, string kind = "ids")
        where T : TelemetryEvent => telemetry with
        {
            Id = EventId.For(_device, kind, sequence.ToString(CultureInfo.InvariantCulture)),
            Device = _device,
            DeviceTime = new DeviceTimestamp(local, sequence),
            Utc = Utc(local),
            TimeBasis = _reference!.Basis,
        };

    private DateTimeOffset Utc(DateTime local) => new(DateTime.SpecifyKind(local - _reference!.UtcOffset, DateTimeKind.Utc));

    private EventId IdOf(IdsHistoryEvent record) => IdOf(record.SequenceNumber);

    private EventId IdOf(uint sequence) => EventId.For(_device, "ids", sequence.ToString(CultureInfo.InvariantCulture));

    /// <summary>IU at the device's resolution; a special value (NaN, NRes) where an amount is due is a device fault and reads as 0.</summary>
    private static decimal Units(MedicalFloat value) => value.ToDecimal() ?? 0m;

    private static string? Context(IdsDeliveryContext? context) => context is { } c ? Name(c) : null;

    private static int DstMinutes(IdsDstOffset dst) => dst switch
    {
        IdsDstOffset.HalfAnHourDaylightTime => 30,
        IdsDstOffset.DaylightTime => 60,
        IdsDstOffset.DoubleDaylightTime => 120,
        _ => 0,
    };

    private static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => value.ToString();

    /// <param name="Local">The device's wall-clock time at the reference.</param>
    /// <param name="UtcOffset">Its zone plus DST: UTC = local − offset.</param>
    private sealed record Reference(uint Sequence, DateTime Local, TimeSpan UtcOffset, TimeBasis Basis);
}
