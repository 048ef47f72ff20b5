using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Ids;

/// <summary>One history event of the emulated pump and the scenario event it records (null for an annunciation raised by hand).</summary>
public sealed record IdsHistoryEntry(IdsHistoryEvent Event, TherapyEvent? Source);

/// <summary>What one scenario event (or a hand-raised annunciation) did to the pump's history and status.</summary>
/// <param name="RaisedAnnunciations">Annunciations that became pending: the pump indicates each on IDD Annunciation Status.</param>
/// <param name="BatteryChanged">The battery level changed (it has no history event; Battery Level notifies it).</param>
public sealed record IdsHistoryChange(IReadOnlyList<IdsHistoryEntry> Entries, IdsStatusChangedFlags Flags, IReadOnlyList<IdsAnnunciation> RaisedAnnunciations, bool BatteryChanged)
{
    public static IdsHistoryChange None { get; } = new([], IdsStatusChangedFlags.None, [], false);
}

/// <summary>
/// The history an IDS pump records for a therapy scenario, event by event, with the pump state
/// that history implies (therapy control state, operational state, reservoir, annunciations).
/// The pump clock is the scenario's clock: local time in <see cref="IdsPumpOptions.UtcOffset"/>,
/// standard time. Every event's time is its last reference time plus its relative offset; a
/// reference time opens the history, follows every clock change, and is repeated before an
/// offset would pass 12 hours (the uint16 holds 18.2). Not thread-safe: the emulator serializes.
/// </summary>
public sealed class IdsPumpHistory
{
    /// <summary>A reference time at least this often, well inside the uint16 relative offset.</summary>
    public static readonly TimeSpan MaxReferenceAge = TimeSpan.FromHours(12);

    private readonly IdsPumpOptions _options;
    private readonly IdsDialect _dialect;
    private readonly List<IdsHistoryEntry> _entries = [];
    private readonly Dictionary<int, ushort> _annunciationOfAlarm = [];
    private readonly List<IdsAnnunciation> _openAnnunciations = [];
    private readonly Dictionary<int, (BolusProgrammed Bolus, DateTime Time)> _boluses = [];
    private uint _nextSequence;
    private ushort _lastInstanceId;
    private DateTime? _reference;
    private DateTime _lastTime = DateTime.MinValue;
    private decimal _deliveredRate;
    private SuspendReason? _suspendReason;
    private ushort? _stoppingAnnunciation;
    private bool _clockChangedSinceTotal;

    public IdsPumpHistory(IdsPumpOptions options)
    {
        options.Validate();
        _options = options;
        _dialect = options.Dialect;
        _nextSequence = options.FirstSequenceNumber;
    }

    public IReadOnlyList<IdsHistoryEntry> Entries => [.. _entries];

    public int Count => _entries.Count;

    public IdsTherapyControlState TherapyControlState { get; private set; } = IdsTherapyControlState.Run;

    public IdsOperationalState OperationalState { get; private set; } = IdsOperationalState.Ready;

    public bool ReservoirAttached { get; private set; } = true;

    /// <summary>The annunciation the pump shows now: the oldest pending one, else the oldest snoozed one, else none.</summary>
    public IdsAnnunciation? CurrentAnnunciation =>
        _openAnnunciations.Find(a => a.Status == IdsAnnunciationState.Pending) ?? _openAnnunciations.FirstOrDefault();

    /// <summary>The temporary basal running now, as the history recorded it.</summary>
    public IdsActiveTemporaryBasal? TemporaryBasal { get; private set; }

    /// <summary>When the reservoir in the pump was filled (pump clock).</summary>
    public DateTime? ReservoirFilledAt { get; private set; }

    /// <summary>Records a whole run of scenario events.</summary>
    public static IdsPumpHistory Of(IEnumerable<TherapyEvent> events, IdsPumpOptions options)
    {
        var history = new IdsPumpHistory(options);
        foreach (var therapyEvent in events)
        {
            history.Record(therapyEvent);
        }

        return history;
    }

    public IReadOnlyList<IdsHistoryEntry> EntriesFrom(int index) => _entries.GetRange(index, _entries.Count - index);

    /// <summary>The programmed bolus of that id, with the time its Bolus Programmed event carries.</summary>
    public (BolusProgrammed Bolus, DateTime Time)? Bolus(int bolusId) => _boluses.TryGetValue(bolusId, out var bolus) ? bolus : null;

    public IdsHistoryChange Record(TherapyEvent therapyEvent)
    {
        var change = new Recording(this, therapyEvent);
        switch (therapyEvent)
        {
            case ClockChanged clock:
                change.Reference(clock.NewTime, IdsRecordingReason.SetDateTime);
                _clockChangedSinceTotal = true;
                break;
            case BasalRateChanged basal:
                RecordBasal(change, basal);
                break;
            case TemporaryBasalStarted started:
                RecordTemporaryBasalStarted(change, started);
                break;
            case TemporaryBasalChanged changed:
                RecordTemporaryBasalChanged(change, changed);
                break;
            case TemporaryBasalEnded ended:
                RecordTemporaryBasalEnded(change, ended);
                break;
            case BolusProgrammed programmed:
                RecordBolusProgrammed(change, programmed);
                break;
            case BolusDelivered delivered:
                RecordBolusDelivered(change, delivered);
                break;
            case DeliverySuspended suspended:
                _suspendReason = suspended.Reason;
                change.TherapyControlState(suspended.Reason == SuspendReason.User ? IdsTherapyControlState.Pause : IdsTherapyControlState.Stop);
                break;
            case DeliveryResumed:
                change.OperationalState(IdsOperationalState.Ready);
                change.TherapyControlState(IdsTherapyControlState.Run);
                break;
            case Rewound:
                change.OperationalState(IdsOperationalState.Standby);
                ReservoirAttached = false;
                change.Flags |= IdsStatusChangedFlags.ReservoirStatusChanged;
                break;
            case ReservoirFilled filled:
                change.OperationalState(IdsOperationalState.Preparing);
                ReservoirAttached = true;
                ReservoirFilledAt = filled.Time;
                change.Reservoir(filled.Units);
                break;
            case Primed primed:
                RecordPrimed(change, primed);
                break;
            case ReservoirLevel level:
                change.Reservoir(level.Units);
                break;
            case AlarmChanged alarm:
                RecordAlarm(change, alarm);
                break;
            case DailyTotal total:
                change.Add((seq, rel) => new IdsTotalDailyInsulinDeliveryEvent(seq, rel, Insulin(total.BolusUnits), Insulin(total.BasalUnits), (ushort)total.Day.Year, (byte)total.Day.Month, (byte)total.Day.Day, _clockChangedSinceTotal));
                change.Flags |= IdsStatusChangedFlags.TotalDailyInsulinStatusChanged;
                _clockChangedSinceTotal = false;
                break;
            case BatteryLevel or BatteryReplaced:
                change.BatteryChanged = true;
                break;
        }

        return change.Result();
    }

    /// <summary>An annunciation raised by hand (a latency test, a demo), recorded like any other; returns its instance id.</summary>
    public (ushort InstanceId, IdsHistoryChange Change) RaiseAnnunciation(IdsAnnunciationType type, DateTime at)
    {
        var change = new Recording(this, null, at);
        var annunciation = new IdsAnnunciation(NextInstanceId(), type, IdsAnnunciationState.Pending);
        change.Annunciation(annunciation);
        return (annunciation.InstanceId, change.Result());
    }

    /// <summary>Snoozes or confirms an open annunciation; null when no open annunciation has that id.</summary>
    public IdsHistoryChange? ChangeAnnunciation(ushort instanceId, IdsAnnunciationState state, DateTime at)
    {
        if (_openAnnunciations.Find(a => a.InstanceId == instanceId) is not { } open || state is not (IdsAnnunciationState.Snoozed or IdsAnnunciationState.Confirmed))
        {
            return null;
        }

        var change = new Recording(this, null, at);
        change.Annunciation(open with { Status = state });
        return change.Result();
    }

    private MedicalFloat Insulin(decimal units) => IdsPumpValues.Insulin(units, _dialect);

    private ushort NextInstanceId() => _lastInstanceId = checked((ushort)(_lastInstanceId + 1));

    private void RecordBasal(Recording change, BasalRateChanged basal)
    {
        // The scenario also notes a new scheduled rate that is not delivered (while suspended or
        // under an absolute TBR); the IDS event is about the delivered rate only.
        var old = _deliveredRate;
        _deliveredRate = basal.UnitsPerHour;
        if (old != basal.UnitsPerHour)
        {
            change.Add((seq, rel) => new IdsDeliveredBasalRateChangedEvent(seq, rel, Insulin(old), Insulin(basal.UnitsPerHour), IdsDeliveryContext.DeviceBased));
            change.Flags |= IdsStatusChangedFlags.ActiveBasalRateStatusChanged;
        }
    }

    private void RecordTemporaryBasalStarted(Recording change, TemporaryBasalStarted started)
    {
        var tbr = new IdsActiveTemporaryBasal(started.TemporaryBasalId, TbrType(started.Kind), TbrValue(started.Kind, started.Amount), started.Time, IdsPumpValues.Minutes(started.Duration));
        TemporaryBasal = tbr;
        change.Add((seq, rel) => new IdsTbrAdjustmentStartedEvent(seq, rel, tbr.Type, tbr.AdjustmentValue, tbr.ProgrammedMinutes, DeliveryContext: IdsDeliveryContext.DeviceBased));
        change.Flags |= IdsStatusChangedFlags.ActiveBasalRateStatusChanged;
    }

    private void RecordTemporaryBasalChanged(Recording change, TemporaryBasalChanged changed)
    {
        var started = TemporaryBasal is { } running && running.Id == changed.TemporaryBasalId ? running.Started : changed.Time;
        var elapsed = IdsPumpValues.Minutes(changed.Time - started);
        var tbr = new IdsActiveTemporaryBasal(changed.TemporaryBasalId, TbrType(changed.Kind), TbrValue(changed.Kind, changed.Amount), started, (ushort)Math.Min(ushort.MaxValue, elapsed + IdsPumpValues.Minutes(changed.Duration)));
        TemporaryBasal = tbr;
        change.Add((seq, rel) => new IdsTbrAdjustmentChangedEvent(seq, rel, tbr.Type, tbr.AdjustmentValue, tbr.ProgrammedMinutes, elapsed, DeliveryContext: IdsDeliveryContext.DeviceBased));
        change.Flags |= IdsStatusChangedFlags.ActiveBasalRateStatusChanged;
    }

    private void RecordTemporaryBasalEnded(Recording change, TemporaryBasalEnded ended)
    {
        var tbr = TemporaryBasal is { } running && running.Id == ended.TemporaryBasalId ? running : null;
        TemporaryBasal = null;
        var (reason, annunciation) = ended.Ending switch
        {
            TemporaryBasalEnding.Completed => (IdsTbrEndReason.ProgrammedDurationOver, null),
            TemporaryBasalEnding.Cancelled => (IdsTbrEndReason.Canceled, null),
            _ => StoppedBy() is { } stoppingAlarm ? (IdsTbrEndReason.ErrorAbort, stoppingAlarm) : (IdsTbrEndReason.Canceled, (ushort?)null),
        };
        var effective = tbr is null ? (ushort)0 : IdsPumpValues.Minutes(ended.Time - tbr.Started);
        change.Add((seq, rel) => new IdsTbrAdjustmentEndedEvent(seq, rel, tbr?.Type ?? IdsTbrType.Undetermined, effective, reason, AnnunciationInstanceId: annunciation));
        change.Flags |= IdsStatusChangedFlags.ActiveBasalRateStatusChanged;
    }

    private void RecordBolusProgrammed(Recording change, BolusProgrammed programmed)
    {
        var id = checked((ushort)programmed.BolusId);
        var type = BolusType(programmed.Type);
        if (programmed.Calculation is { } calculation)
        {
            // The calculator's correction goes with the immediate part first; the meal takes the rest.
            var correctionFast = Math.Min(calculation.CorrectionUnits, programmed.ImmediateUnits);
            var correctionExtended = calculation.CorrectionUnits - correctionFast;
            var mealFast = programmed.ImmediateUnits - correctionFast;
            var mealExtended = programmed.ExtendedUnits - correctionExtended;
            change.Add((seq, rel) => new IdsBolusCalculatedPart1Event(seq, rel, Insulin(mealFast), Insulin(mealExtended), Insulin(correctionFast), Insulin(correctionExtended)));
            change.Add((seq, rel) => new IdsBolusCalculatedPart2Event(seq, rel, Insulin(mealFast), Insulin(mealExtended), Insulin(correctionFast), Insulin(correctionExtended)));
        }

        var duration = IdsPumpValues.Minutes(programmed.ExtendedDuration);
        change.Add((seq, rel) => new IdsBolusProgrammedPart1Event(seq, rel, id, type, Insulin(programmed.ImmediateUnits), Insulin(programmed.ExtendedUnits), duration));
        change.Add((seq, rel) => new IdsBolusProgrammedPart2Event(
            seq,
            rel,
            ActivationType: programmed.Calculation is null ? IdsBolusActivationType.Manual : IdsBolusActivationType.Recommended,
            ForCorrection: programmed.Calculation?.CorrectionUnits > 0,
            ForMeal: programmed.Calculation?.CarbGrams > 0));
        _boluses[programmed.BolusId] = (programmed, change.Time);
        change.Flags |= IdsStatusChangedFlags.ActiveBolusStatusChanged;
    }

    private void RecordBolusDelivered(Recording change, BolusDelivered delivered)
    {
        var id = checked((ushort)delivered.BolusId);
        var programmed = Bolus(delivered.BolusId);
        var programmedAt = programmed?.Time ?? delivered.Started;
        var startOffset = (uint)Math.Max(0, (delivered.Started - programmedAt).TotalSeconds);

        // How long the extended part ran: the whole bolus less its immediate part, at most as programmed.
        var extendedDuration = programmed?.Bolus.ExtendedDuration ?? TimeSpan.Zero;
        var effective = delivered.Type == Telemetry.BolusType.Normal ? (ushort)0 : Math.Min(IdsPumpValues.Minutes(delivered.Time - delivered.Started), IdsPumpValues.Minutes(extendedDuration));
        var (reason, annunciation) = delivered.Outcome switch
        {
            BolusOutcome.Completed => (IdsBolusEndReason.ProgrammedAmountDelivered, null),
            BolusOutcome.Cancelled => (IdsBolusEndReason.Canceled, null),
            _ => StoppedBy() is { } stoppingAlarm ? (IdsBolusEndReason.ErrorAbort, stoppingAlarm) : (IdsBolusEndReason.Canceled, (ushort?)null),
        };
        var activation = programmed?.Bolus.Calculation is null ? IdsBolusActivationType.Manual : IdsBolusActivationType.Recommended;
        change.Add((seq, rel) => new IdsBolusDeliveredPart1Event(seq, rel, id, BolusType(delivered.Type), Insulin(delivered.ImmediateUnits), Insulin(delivered.ExtendedUnits), effective));
        change.Add((seq, rel) => new IdsBolusDeliveredPart2Event(seq, rel, startOffset, activation, reason, annunciation));
        _boluses.Remove(delivered.BolusId);
        change.Flags |= IdsStatusChangedFlags.ActiveBolusStatusChanged | IdsStatusChangedFlags.TotalDailyInsulinStatusChanged;
    }

    private void RecordPrimed(Recording change, Primed primed)
    {
        change.OperationalState(IdsOperationalState.Priming);
        change.Add((seq, rel) => new IdsPrimingStartedEvent(seq, rel, Insulin(primed.Units)));
        change.Add((seq, rel) => new IdsPrimingDoneEvent(seq, rel, Insulin(primed.Units), IdsPrimingTerminationReason.ProgrammedAmountReached));

        // The tubing is primed before the set goes in, the cannula once it is in: then the pump is ready.
        change.OperationalState(primed.Target == PrimeTarget.Cannula ? IdsOperationalState.Ready : IdsOperationalState.Preparing);
    }

    private void RecordAlarm(Recording change, AlarmChanged alarm)
    {
        if (!_annunciationOfAlarm.TryGetValue(alarm.AlarmId, out var instanceId))
        {
            instanceId = _annunciationOfAlarm[alarm.AlarmId] = NextInstanceId();
        }

        var state = alarm.Transition switch
        {
            AlarmTransition.Raised => IdsAnnunciationState.Pending,
            AlarmTransition.Acknowledged => IdsAnnunciationState.Snoozed,
            _ => IdsAnnunciationState.Confirmed,
        };

        // AuxInfo is the manufacturer's: this pump puts its own alarm code there, so that alarms
        // sharing an IDS type (pump error and auto-off) stay apart for whoever reads them.
        change.Annunciation(new IdsAnnunciation(instanceId, AnnunciationType(alarm.Kind), state, AuxInfo1: (ushort)alarm.Kind));
        if (alarm.Transition == AlarmTransition.Raised && StopsDelivery(alarm.Kind))
        {
            _stoppingAnnunciation = instanceId;
        }
    }

    /// <summary>The annunciation that stopped delivery when the current stop was an alarm's.</summary>
    private ushort? StoppedBy() => _suspendReason == SuspendReason.Alarm ? _stoppingAnnunciation : null;

    private static bool StopsDelivery(AlarmKind kind) => kind is AlarmKind.Occlusion or AlarmKind.ReservoirEmpty or AlarmKind.BatteryEmpty
        or AlarmKind.NoDelivery or AlarmKind.PumpError or AlarmKind.AutoOff;

    /// <summary>The IDS annunciation type closest to a scenario alarm.</summary>
    public static IdsAnnunciationType AnnunciationType(AlarmKind kind) => kind switch
    {
        AlarmKind.Occlusion => IdsAnnunciationType.OcclusionDetected,
        AlarmKind.ReservoirLow => IdsAnnunciationType.ReservoirLow,
        AlarmKind.ReservoirEmpty => IdsAnnunciationType.ReservoirEmpty,
        AlarmKind.BatteryLow => IdsAnnunciationType.BatteryLow,
        AlarmKind.BatteryEmpty => IdsAnnunciationType.BatteryEmpty,
        AlarmKind.InfusionSetDetached => IdsAnnunciationType.InfusionSetDetached,

        // "No delivery": the drive could not push insulin although no occlusion was found, a mechanical issue.
        AlarmKind.NoDelivery => IdsAnnunciationType.MechanicalIssue,
        AlarmKind.Temperature => IdsAnnunciationType.TemperatureOutOfRange,
        AlarmKind.OverLimit => IdsAnnunciationType.MaxDelivery,

        // Pump error / end of pump life, and auto-off (delivery stopped after hours without a key
        // press) which has no IDS type of its own: both are system issues, told apart by AuxInfo1.
        _ => IdsAnnunciationType.SystemIssue,
    };

    private static IdsBolusType BolusType(Telemetry.BolusType type) => type switch
    {
        Telemetry.BolusType.Square => IdsBolusType.Extended,
        Telemetry.BolusType.DualWave => IdsBolusType.Multiwave,
        _ => IdsBolusType.Fast,
    };

    private static IdsTbrType TbrType(TemporaryBasalKind kind) => kind == TemporaryBasalKind.Absolute ? IdsTbrType.Absolute : IdsTbrType.Relative;

    /// <summary>An absolute TBR is a rate in IU/h, a relative one a dimensionless factor (50 % is 0.5).</summary>
    private MedicalFloat TbrValue(TemporaryBasalKind kind, decimal amount) =>
        kind == TemporaryBasalKind.Absolute ? Insulin(amount) : IdsPumpValues.Insulin(amount / 100, _dialect);

    /// <summary>The history events one scenario event produces, stamped and numbered as they are added.</summary>
    private sealed class Recording
    {
        private readonly IdsPumpHistory _history;
        private readonly TherapyEvent? _source;
        private readonly int _first;
        private readonly List<IdsAnnunciation> _raised = [];

        public Recording(IdsPumpHistory history, TherapyEvent? source, DateTime? at = null)
        {
            _history = history;
            _source = source;
            _first = history._entries.Count;

            // A scenario event carries the pump clock; a hand-raised annunciation is stamped no
            // earlier than the last event, so that the history stays in time order.
            Time = source?.Time ?? (at is { } given && given > history._lastTime ? given : history._lastTime);
        }

        public DateTime Time { get; private set; }

        public IdsStatusChangedFlags Flags { get; set; }

        public bool BatteryChanged { get; set; }

        public void Add(Func<uint, ushort, IdsHistoryEvent> create)
        {
            if (_history._reference is not { } reference || Time < reference || Time - reference > MaxReferenceAge)
            {
                Reference(Time, _history._reference is null ? IdsRecordingReason.SetDateTime : IdsRecordingReason.PeriodicRecording);
                reference = Time;
            }

            Append(create(NextSequence(), (ushort)(Time - reference).TotalSeconds));
        }

        public void Reference(DateTime time, IdsRecordingReason reason)
        {
            Time = time;
            _history._reference = time;
            Append(new IdsReferenceTimeEvent(NextSequence(), 0, reason, IdsDateTime.From(time), _history._options.TimeZoneQuarterHours, IdsDstOffset.StandardTime));
        }

        public void TherapyControlState(IdsTherapyControlState state)
        {
            var old = _history.TherapyControlState;
            if (old != state)
            {
                _history.TherapyControlState = state;
                Add((seq, rel) => new IdsTherapyControlStateChangedEvent(seq, rel, old, state));
                Flags |= IdsStatusChangedFlags.TherapyControlStateChanged;
            }
        }

        public void OperationalState(IdsOperationalState state)
        {
            var old = _history.OperationalState;
            if (old != state)
            {
                _history.OperationalState = state;
                Add((seq, rel) => new IdsOperationalStateChangedEvent(seq, rel, old, state));
                Flags |= IdsStatusChangedFlags.OperationalStateChanged;
            }
        }

        public void Reservoir(decimal units)
        {
            Add((seq, rel) => new IdsReservoirRemainingAmountChangedEvent(seq, rel, _history.Insulin(units)));
            Flags |= IdsStatusChangedFlags.ReservoirStatusChanged;
        }

        public void Annunciation(IdsAnnunciation annunciation)
        {
            var open = _history._openAnnunciations;
            var index = open.FindIndex(a => a.InstanceId == annunciation.InstanceId);
            if (annunciation.Status == IdsAnnunciationState.Confirmed)
            {
                open.RemoveAll(a => a.InstanceId == annunciation.InstanceId);
            }
            else if (index >= 0)
            {
                open[index] = annunciation;
            }
            else
            {
                open.Add(annunciation);
            }

            if (annunciation.Status == IdsAnnunciationState.Pending)
            {
                _raised.Add(annunciation);
            }

            Add((seq, rel) => new IdsAnnunciationStatusChangedPart1Event(seq, rel, annunciation.InstanceId, annunciation.Type, annunciation.Status, annunciation.AuxInfo1, annunciation.AuxInfo2));
            Add((seq, rel) => new IdsAnnunciationStatusChangedPart2Event(seq, rel, annunciation.AuxInfo3, annunciation.AuxInfo4, annunciation.AuxInfo5));
            Flags |= IdsStatusChangedFlags.AnnunciationStatusChanged;
        }

        public IdsHistoryChange Result()
        {
            _history._lastTime = Time;
            var entries = _history.EntriesFrom(_first);
            var flags = Flags | (entries.Count > 0 ? IdsStatusChangedFlags.HistoryEventRecorded : IdsStatusChangedFlags.None);
            return entries.Count == 0 && !BatteryChanged ? IdsHistoryChange.None : new IdsHistoryChange(entries, flags, _raised, BatteryChanged);
        }

        private uint NextSequence()
        {
            var sequence = _history._nextSequence;

            // 0xFFFFFFFF belongs to the Data Corruption event.
            if (sequence == uint.MaxValue)
            {
                throw new InvalidOperationException("The history has used every sequence number.");
            }

            _history._nextSequence++;
            return sequence;
        }

        private void Append(IdsHistoryEvent historyEvent) => _history._entries.Add(new IdsHistoryEntry(historyEvent, _source));
    }
}

/// <summary>A temporary basal as the pump runs it: a rate (IU/h) or a factor, from <see cref="Started"/> for <see cref="ProgrammedMinutes"/>.</summary>
public sealed record IdsActiveTemporaryBasal(int Id, IdsTbrType Type, MedicalFloat AdjustmentValue, DateTime Started, ushort ProgrammedMinutes);
