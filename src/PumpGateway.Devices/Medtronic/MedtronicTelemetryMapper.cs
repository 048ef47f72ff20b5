using System.Globalization;
using PumpGateway.Telemetry;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// Paradigm history records to telemetry, fed in page order. Some facts take two records, which
/// the mapper joins: a temp basal and its duration, a clock change and the new time (each the next
/// record), and the two parts of a dual wave: the normal part is written when it is delivered, the
/// square part when it ENDS, hours later, though stamped with the minute it started (a few minutes
/// after the normal part). A bolus record is written when the bolus starts and its delivered amount
/// filled in as it goes (rileylink_ios treats it as mutable until delivered: 1.5 U/min, or the
/// square wave's duration), so a bolus still delivering is held back too. <see cref="Waiting"/> is
/// the oldest record held: a download stops its cursor before it, so it is seen whole next time.
/// A record's identity is its own bytes (they include its timestamp), a bolus's its start, kind and
/// programmed amount, so a re-read is a duplicate. Pump times are local, without zone: UTC is the
/// pump time less the clock offset measured at dock, or, for a record written before the wearer
/// set the clock, less the offset the clock had then (<see cref="CorrectForClockChanges"/>).
/// </summary>
internal sealed class MedtronicTelemetryMapper
{
    /// <summary>Longer than any normal part of a dual wave takes to deliver (25 U at 1.5 U/min): the square part starts within it.</summary>
    private static readonly TimeSpan DualWaveGap = TimeSpan.FromMinutes(30);

    /// <summary>The longest square wave a Paradigm gives (8 h), and the gap: a record stamped later means the square part is not coming.</summary>
    private static readonly TimeSpan DualWaveLongest = TimeSpan.FromHours(8) + DualWaveGap;

    /// <summary>A Paradigm gives a normal bolus at about 40 s a unit.</summary>
    private const decimal NormalBolusUnitsPerMinute = 1.5m;

    /// <summary>Beyond the delivery time: the pump's own step and the clock read at dock.</summary>
    private static readonly TimeSpan DeliveryMargin = TimeSpan.FromMinutes(2);

    private readonly DeviceId _device;
    private readonly MedtronicModel _model;
    private readonly TimeSpan _clockOffset;
    private readonly DateTime _pumpNow;
    private readonly Dictionary<byte, string> _openAlarms = [];

    /// <summary>The offsets of records written on a clock set since, by record; others have the dock offset.</summary>
    private Dictionary<MedtronicHistoryRecord, TimeSpan> _earlierOffsets = new(ReferenceEqualityComparer.Instance);

    /// <summary>The clock changes among the records, newest first: what the glucose pages' times are corrected by.</summary>
    private List<(DateTime Before, DateTime After)> _clockChanges = [];

    /// <summary>Each record's place in the order it was fed: the oldest held record is the first of them.</summary>
    private readonly Dictionary<MedtronicHistoryRecord, int> _order = new(ReferenceEqualityComparer.Instance);
    private MedtronicBolus? _dualNormal;
    private MedtronicTimedRecord? _firstOfPair;
    private MedtronicBolus? _firstDelivering;

    /// <param name="clockOffset">Pump clock minus gateway UTC clock, measured at dock.</param>
    /// <param name="pumpNow">The pump's clock now: boluses that may still be delivering are held back.</param>
    public MedtronicTelemetryMapper(DeviceId device, MedtronicModel model, TimeSpan clockOffset, DateTime pumpNow)
    {
        _device = device;
        _model = model;
        _clockOffset = clockOffset;
        _pumpNow = pumpNow;
    }

    /// <summary>
    /// Records the clock each of <paramref name="oldestFirst"/> was written on, before they are
    /// mapped: walking back from the newest, each clock change (a ChangeTime from B followed by
    /// its NewTimeSet to A) puts the records before it on a clock A − B behind the one after it.
    /// Every change after a record is newer than it, so a download that starts at its cursor
    /// has all it needs.
    /// </summary>
    public void CorrectForClockChanges(IReadOnlyList<MedtronicHistoryRecord> oldestFirst)
    {
        var offsets = new Dictionary<MedtronicHistoryRecord, TimeSpan>(ReferenceEqualityComparer.Instance);
        var changes = new List<(DateTime Before, DateTime After)>();
        var offset = _clockOffset;
        for (var i = oldestFirst.Count - 1; i >= 0; i--)
        {
            if (i + 1 < oldestFirst.Count
                && oldestFirst[i] is MedtronicPumpEvent { Type: MedtronicRecordType.ChangeTime } before
                && oldestFirst[i + 1] is MedtronicPumpEvent { Type: MedtronicRecordType.NewTimeSet } after)
            {
                offset -= after.Time - before.Time;
                changes.Add((before.Time, after.Time));
            }

            if (offset != _clockOffset)
            {
                offsets[oldestFirst[i]] = offset;
            }
        }

        _earlierOffsets = offsets;
        _clockChanges = changes;
    }

    /// <summary>
    /// The offset of the clock a glucose page's time was written on: glucose records carry no
    /// mark of a clock change, so a time before both ends of a change is on the clock before it.
    /// A change that set the clock back makes its overlap (After to Before) ambiguous: a time in it is
    /// on the clock before the change when the page's times go back later on (<paramref name="setBackFollows"/>),
    /// the change being written between, and on the new clock otherwise.
    /// </summary>
    private (TimeSpan Offset, TimeBasis Basis) GlucoseClock(DateTime pumpTime, bool setBackFollows)
    {
        var offset = _clockOffset;
        foreach (var (before, after) in _clockChanges)
        {
            var onNewClock = before < after ? pumpTime >= before : pumpTime >= before || (pumpTime >= after && !setBackFollows);
            if (onNewClock)
            {
                break;
            }

            offset -= after - before;
        }

        return (offset, offset == _clockOffset ? TimeBasis.DockClockOffset : TimeBasis.DeviceTimeChange);
    }

    /// <summary>The oldest record held, for its partner or because it may still change, if any.</summary>
    public MedtronicHistoryRecord? Waiting =>
        new MedtronicTimedRecord?[] { _dualNormal, _firstOfPair, _firstDelivering }.OfType<MedtronicTimedRecord>().MinBy(r => _order[r]);

    public IReadOnlyList<TelemetryEvent> Map(MedtronicHistoryRecord record)
    {
        _order.TryAdd(record, _order.Count);
        var events = new List<TelemetryEvent>();
        if (_firstOfPair is { } first)
        {
            _firstOfPair = null;
            if (TryJoinPair(first, record, events))
            {
                return events;
            }

            MapAlone(first, events);
        }

        if (record is MedtronicBolus bolus && DeliveryEnds(bolus) > _pumpNow)
        {
            _firstDelivering ??= bolus;
            return events;
        }

        if (_dualNormal is { } normal)
        {
            if (record is MedtronicBolus { Kind: MedtronicBolusKind.DualSquare } square && square.Time >= normal.Time && square.Time - normal.Time <= DualWaveGap)
            {
                _dualNormal = null;
                events.Add(Stamp(
                    new Bolus
                    {
                        BolusType = BolusType.DualWave,
                        ProgrammedUnits = normal.Programmed,
                        DeliveredUnits = normal.Delivered,
                        ProgrammedExtendedUnits = square.Programmed,
                        DeliveredExtendedUnits = square.Delivered,
                        ExtendedDuration = square.Duration,
                    },
                    normal));
                return events;
            }

            if (record is MedtronicBolus { Kind: MedtronicBolusKind.DualNormal } || (record is MedtronicTimedRecord timed && timed.Time - normal.Time > DualWaveLongest))
            {
                // Its square part is not coming: the normal part was the whole of it.
                _dualNormal = null;
                MapAlone(normal, events);
            }
        }

        switch (record)
        {
            case MedtronicBolus { Kind: MedtronicBolusKind.DualNormal } dual:
                _dualNormal = dual;
                break;
            case MedtronicTempBasal or MedtronicPumpEvent { Type: MedtronicRecordType.ChangeTime }:
                _firstOfPair = (MedtronicTimedRecord)record;
                break;
            default:
                MapAlone(record, events);
                break;
        }

        return events;
    }

    /// <summary>
    /// When the bolus's record stops changing: its square wave's end, or its normal part's at
    /// 1.5 U/min; the square part of a dual wave starts once the normal part is in.
    /// </summary>
    private DateTime DeliveryEnds(MedtronicBolus bolus)
    {
        static TimeSpan Normal(decimal units) => TimeSpan.FromMinutes((double)(units / NormalBolusUnitsPerMinute));
        if (!bolus.IsSquareWave)
        {
            return bolus.Time + Normal(bolus.Programmed) + DeliveryMargin;
        }

        var start = bolus.Kind == MedtronicBolusKind.DualSquare && _dualNormal is { } normal && bolus.Time - normal.Time <= DualWaveGap
            ? new DateTime(Math.Max(bolus.Time.Ticks, (normal.Time + Normal(normal.Programmed)).Ticks))
            : bolus.Time;
        return start + bolus.Duration + DeliveryMargin;
    }

    /// <summary>A glucose page's entries, in page order (oldest first): the order tells the two sides of a clock set back.</summary>
    public IReadOnlyList<GlucoseReading> MapGlucosePage(IReadOnlyList<MedtronicGlucoseEntry> entries)
    {
        // Where the page's times last go back: the entries before it were written before a clock was set back.
        var lastSetBack = -1;
        DateTime? previous = null;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Time is { } time)
            {
                lastSetBack = previous > time ? i : lastSetBack;
                previous = time;
            }
        }

        return [.. entries.Select((entry, i) => MapGlucose(entry, setBackFollows: i < lastSetBack)).OfType<GlucoseReading>()];
    }

    /// <summary>The sensor glucose of a glucose page entry that has a time.</summary>
    private GlucoseReading? MapGlucose(MedtronicGlucoseEntry entry, bool setBackFollows) => (entry.Record, entry.Time) switch
    {
        (MedtronicSensorGlucose glucose, { } time) => StampGlucose(new GlucoseReading { Source = GlucoseSource.Sensor, MgDl = glucose.MgDl }, "sgv", time, setBackFollows),
        (MedtronicGlucoseMarker { Type: MedtronicGlucoseRecordType.GlucoseBelow40 }, { } time) => StampGlucose(new GlucoseReading { Source = GlucoseSource.Sensor, MgDl = 40, RangeLimit = GlucoseRangeLimit.BelowRange }, "low", time, setBackFollows),
        (MedtronicGlucoseMarker { Type: MedtronicGlucoseRecordType.GlucoseAbove400 }, { } time) => StampGlucose(new GlucoseReading { Source = GlucoseSource.Sensor, MgDl = 400, RangeLimit = GlucoseRangeLimit.AboveRange }, "high", time, setBackFollows),
        (MedtronicCalibrationBg calibration, { } time) => StampGlucose(new GlucoseReading { Source = GlucoseSource.Calibration, MgDl = calibration.MgDl }, "cal", time, setBackFollows),
        _ => null,
    };

    /// <summary>A temp basal and its duration record, a clock change and its new time: always the next record.</summary>
    private bool TryJoinPair(MedtronicTimedRecord first, MedtronicHistoryRecord record, List<TelemetryEvent> events)
    {
        switch (first, record)
        {
            case (MedtronicTempBasal rate, MedtronicTempBasalDuration duration) when duration.Time == rate.Time:
                events.Add(duration.IsCancel
                    ? Stamp(new TemporaryBasal { Phase = TemporaryBasalPhase.Ended, UnitsPerHour = rate.Rate, Percent = rate.Percent, ProgrammedDuration = TimeSpan.Zero, EndReason = "cancelled" }, rate)
                    : Stamp(new TemporaryBasal { Phase = TemporaryBasalPhase.Started, UnitsPerHour = rate.Rate, Percent = rate.Percent, ProgrammedDuration = duration.Duration }, rate));
                return true;
            case (MedtronicPumpEvent before, MedtronicPumpEvent { Type: MedtronicRecordType.NewTimeSet } after):
                events.Add(Stamp(new PumpMaintenance { Action = PumpMaintenanceAction.ClockSet, ClockBefore = before.Time, ClockAfter = after.Time }, before));
                return true;
            default:
                return false;
        }
    }

    private void MapAlone(MedtronicHistoryRecord record, List<TelemetryEvent> events)
    {
        switch (record)
        {
            case MedtronicBolus bolus:
                events.Add(Stamp(Bolus(bolus), bolus));
                break;
            case MedtronicTempBasal rate:
                // A rate whose duration record never came: the pump set it, for how long is unknown.
                events.Add(Stamp(new TemporaryBasal { Phase = TemporaryBasalPhase.Started, UnitsPerHour = rate.Rate, Percent = rate.Percent, ProgrammedDuration = TimeSpan.Zero }, rate));
                break;
            case MedtronicBasalProfileStart start:
                events.Add(Stamp(new ScheduledBasal { UnitsPerHour = start.Rate, Profile = start.Pattern.ToString().ToLowerInvariant(), SegmentIndex = start.SegmentIndex, SegmentStart = start.Start }, start));
                break;
            case MedtronicSuspendResume change:
                events.Add(Stamp(new DeliveryStateChange { Suspended = change.IsSuspend, Reason = ReasonText(change.Reason) }, change));
                break;
            case MedtronicAlarmPump alarm:
                var (kind, severity) = Classify(alarm.AlarmCode);
                var instance = $"pump-{alarm.AlarmCode}-{alarm.Time:yyyyMMddHHmmss}";
                _openAlarms[alarm.AlarmCode] = instance;
                events.Add(Stamp(
                    new Alarm
                    {
                        AlarmKind = kind,
                        Severity = severity,
                        Transition = AlarmTransition.Raised,
                        VendorCode = $"mdt:pump:{alarm.AlarmCode}",
                        VendorText = $"{alarm.KnownType?.ToString() ?? "alarm " + alarm.AlarmCode} (firmware line {alarm.FirmwareLine})",
                        InstanceKey = instance,
                    },
                    alarm));
                break;
            case MedtronicClearAlarm clear:
                var (clearedKind, clearedSeverity) = Classify(clear.AlarmCode);
                _openAlarms.Remove(clear.AlarmCode, out var cleared);
                events.Add(Stamp(
                    new Alarm
                    {
                        AlarmKind = clearedKind,
                        Severity = clearedSeverity,
                        Transition = AlarmTransition.Cleared,
                        VendorCode = $"mdt:pump:{clear.AlarmCode}",
                        VendorText = "cleared",
                        InstanceKey = cleared,
                    },
                    clear));
                break;
            case MedtronicAlarmSensor sensor:
                events.Add(Stamp(
                    new Alarm
                    {
                        AlarmKind = sensor.AlarmCode switch { 101 => AlarmKind.GlucoseHigh, 102 => AlarmKind.GlucoseLow, _ => AlarmKind.SensorIssue },
                        Severity = AlarmSeverity.Warning,
                        Transition = AlarmTransition.Raised,
                        VendorCode = $"mdt:sensor:{sensor.AlarmCode}",
                        VendorText = sensor.GlucoseMgDl is { } mgDl ? $"sensor alert at {mgDl} mg/dL" : "sensor alert",
                    },
                    sensor));
                break;
            case MedtronicLowReservoir low:
                events.Add(Stamp(new Alarm { AlarmKind = AlarmKind.ReservoirLow, Severity = AlarmSeverity.Warning, Transition = AlarmTransition.Raised, VendorCode = "mdt:low-reservoir", VendorText = $"{low.Remaining} U left" }, low));
                events.Add(Stamp(new DeviceStatus { ReservoirUnits = low.Remaining }, low, "status"));
                break;
            case MedtronicPumpEvent { Type: MedtronicRecordType.LowBattery } battery:
                events.Add(Stamp(new Alarm { AlarmKind = AlarmKind.BatteryLow, Severity = AlarmSeverity.Warning, Transition = AlarmTransition.Raised, VendorCode = "mdt:low-battery" }, battery));
                break;
            case MedtronicPumpEvent { Type: MedtronicRecordType.Battery } changed:
                events.Add(Stamp(new PumpMaintenance { Action = PumpMaintenanceAction.BatteryChanged }, changed));
                break;
            case MedtronicPumpEvent { Type: MedtronicRecordType.Rewind } rewind:
                events.Add(Stamp(new PumpMaintenance { Action = PumpMaintenanceAction.Rewind }, rewind));
                break;
            case MedtronicPumpEvent { Type: MedtronicRecordType.ChangeTime } before:
                // The new time never followed: the change is known, not where it went.
                events.Add(Stamp(new PumpMaintenance { Action = PumpMaintenanceAction.ClockSet, ClockBefore = before.Time }, before));
                break;
            case MedtronicPrime prime:
                events.Add(Stamp(
                    new PumpMaintenance
                    {
                        Action = prime.Kind == MedtronicPrimeKind.Manual ? PumpMaintenanceAction.TubingPrimed : PumpMaintenanceAction.CannulaPrimed,
                        Units = prime.Amount,
                        Detail = prime.Kind == MedtronicPrimeKind.Fixed ? $"fixed prime of {prime.Programmed} U" : "manual prime",
                    },
                    prime));
                break;
            case MedtronicBolusWizard { CarbGrams: > 0 } wizard:
                events.Add(Stamp(new UserEntry { EntryType = UserEntryType.Carbohydrates, Subtype = "bolus wizard", Value = wizard.CarbGrams }, wizard));
                break;
            case MedtronicCalBgForPh calibration:
                events.Add(Stamp(new GlucoseReading { Source = GlucoseSource.Calibration, MgDl = calibration.Bg }, calibration));
                break;
            case MedtronicBgReceived meter:
                events.Add(Stamp(new GlucoseReading { Source = GlucoseSource.Meter, MgDl = meter.Bg }, meter));
                break;
            case MedtronicResultDailyTotal total:
                events.Add(Stamp(new DailyInsulinTotal { Day = total.Date.Date, TotalUnits = total.Total }, total, time: total.Date.Date.ToDateTime(new TimeOnly(23, 59, 59))));
                break;
        }
    }

    private static Bolus Bolus(MedtronicBolus bolus) => bolus.IsSquareWave
        ? new Bolus
        {
            BolusType = bolus.Kind == MedtronicBolusKind.DualSquare ? BolusType.DualWave : BolusType.Square,
            ProgrammedUnits = 0,
            DeliveredUnits = 0,
            ProgrammedExtendedUnits = bolus.Programmed,
            DeliveredExtendedUnits = bolus.Delivered,
            ExtendedDuration = bolus.Duration,
        }
        : new Bolus
        {
            BolusType = bolus.Kind == MedtronicBolusKind.DualNormal ? BolusType.DualWave : BolusType.Normal,
            ProgrammedUnits = bolus.Programmed,
            DeliveredUnits = bolus.Delivered,
        };

    /// <summary>Pump alarm codes (0x06 h1) on the alarm taxonomy.</summary>
    private static (AlarmKind Kind, AlarmSeverity Severity) Classify(byte code) => code switch
    {
        (byte)MedtronicPumpAlarmType.NoDelivery => (AlarmKind.NoDelivery, AlarmSeverity.Alarm),
        (byte)MedtronicPumpAlarmType.BatteryDepleted or (byte)MedtronicPumpAlarmType.BatteryOutLimitExceeded => (AlarmKind.BatteryEmpty, AlarmSeverity.Critical),
        (byte)MedtronicPumpAlarmType.AutoOff => (AlarmKind.AutoOff, AlarmSeverity.Critical),
        (byte)MedtronicPumpAlarmType.EmptyReservoir => (AlarmKind.ReservoirEmpty, AlarmSeverity.Alarm),
        (byte)MedtronicPumpAlarmType.DeviceReset or (byte)MedtronicPumpAlarmType.DeviceResetBatteryIssue17 or (byte)MedtronicPumpAlarmType.DeviceResetBatteryIssue21
            or (byte)MedtronicPumpAlarmType.ButtonError or (byte)MedtronicPumpAlarmType.ReprogramError => (AlarmKind.PumpError, AlarmSeverity.Alarm),
        (byte)MedtronicPumpAlarmType.LowGlucoseSuspend => (AlarmKind.GlucoseLow, AlarmSeverity.Alarm),
        _ => (AlarmKind.Other, AlarmSeverity.Alarm),
    };

    private static string ReasonText(MedtronicSuspendReason reason) => reason switch
    {
        MedtronicSuspendReason.Unspecified => "pump",
        MedtronicSuspendReason.LowGlucoseSuspend => "low glucose suspend",
        _ => reason.ToString(),
    };

    /// <summary>
    /// A glucose page entry is known by what it is and its minute; one written on a clock set since
    /// also by that clock's offset, so a clock set back does not make two readings one.
    /// </summary>
    private T StampGlucose<T>(T telemetry, string what, DateTime pumpTime, bool setBackFollows)
        where T : TelemetryEvent
    {
        var (offset, basis) = GlucoseClock(pumpTime, setBackFollows);
        var key = $"{what}-{pumpTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";
        if (basis == TimeBasis.DeviceTimeChange)
        {
            key += string.Create(CultureInfo.InvariantCulture, $"@{(long)offset.TotalMinutes}");
        }

        return Stamp(telemetry, EventId.For(_device, "mdt-glucose", key), pumpTime, offset, basis);
    }

    /// <summary>Fills in the identity and times of <paramref name="telemetry"/>, made from <paramref name="record"/>.</summary>
    private T Stamp<T>(T telemetry, MedtronicHistoryRecord record, string? suffix = null, DateTime? time = null)
        where T : TelemetryEvent
    {
        var key = record is MedtronicBolus bolus
            ? string.Create(CultureInfo.InvariantCulture, $"bolus-{bolus.Time:yyyyMMddHHmmss}-{bolus.Kind}-{bolus.Programmed}")
            : Convert.ToHexStringLower(MedtronicRecordCodec.Encode(record, _model));
        var at = time ?? ((MedtronicTimedRecord)record).Time;
        var id = EventId.For(_device, "mdt", suffix is null ? key : $"{key}-{suffix}");
        return _earlierOffsets.TryGetValue(record, out var earlier)
            ? Stamp(telemetry, id, at, earlier, TimeBasis.DeviceTimeChange)
            : Stamp(telemetry, id, at);
    }

    private T Stamp<T>(T telemetry, EventId id, DateTime pumpTime)
        where T : TelemetryEvent => Stamp(telemetry, id, pumpTime, _clockOffset, TimeBasis.DockClockOffset);

    private T Stamp<T>(T telemetry, EventId id, DateTime pumpTime, TimeSpan clockOffset, TimeBasis basis)
        where T : TelemetryEvent => telemetry with
        {
            Id = id,
            Device = _device,
            DeviceTime = DeviceTimestamp.FromClock(pumpTime),
            Utc = new DateTimeOffset(DateTime.SpecifyKind(pumpTime - clockOffset, DateTimeKind.Utc)),
            TimeBasis = basis,
        };
}
