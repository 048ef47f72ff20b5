using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Medtronic;

/// <summary>
/// The ReadHistoryData pages a Paradigm pump writes for a therapy scenario, event by event, with
/// the record encoders of the codec: records are appended to the newest page (page 0) until the
/// next event's records no longer fit in its 1022 bytes, then that page rolls over to page 1 and a
/// new page 0 begins; at most <see cref="MaxPages"/> pages are kept, the oldest dropped, while
/// <see cref="CurrentPageNumber"/> keeps counting. The pump clock is the scenario's clock. Not
/// thread-safe: the pump emulator serializes.
/// </summary>
public sealed class ParadigmPumpHistory
{
    /// <summary>The firmware line a real 522 put beside its "No Delivery" alarm (vector M-12); other codes carry 0.</summary>
    private const ushort NoDeliveryFirmwareLine = 0x0BFF;

    private static readonly TimeSpan HalfHour = TimeSpan.FromMinutes(30);

    private readonly List<List<ParadigmHistoryEntry>> _pages = [[]];
    private readonly Dictionary<int, List<(List<ParadigmHistoryEntry> Page, int Index)>> _bolusRecords = [];
    private readonly Dictionary<int, byte> _openAlarms = [];
    private readonly IReadOnlyList<(int StartHour, decimal Rate)> _profile;
    private int _used;
    private int? _profileSegment;
    private TemporaryBasalKind? _runningTemporaryBasal;
    private decimal? _reservoirUnits;

    public ParadigmPumpHistory(MedtronicModel model, TherapyScenarioOptions scenario, int maxPages = 36)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPages, 1);
        Model = model;
        MaxPages = maxPages;
        RequireEncodable(model, scenario);
        _profile = ProfileSegments(scenario.BasalRates);
    }

    public MedtronicModel Model { get; }

    public int MaxPages { get; }

    /// <summary>Pages rolled over since the history began: what ReadCurPageNumber answers (the 522 of the capture said 10 with pages 0-10 held).</summary>
    public uint CurrentPageNumber { get; private set; }

    /// <summary>Pages held now, page 0 included.</summary>
    public int PageCount => _pages.Count;

    /// <summary>The code of the newest pump alarm not yet cleared, 0 when none: what ReadErrorStatus answers.</summary>
    public byte ActiveAlarmCode => _openAlarms.Count == 0 ? (byte)0 : _openAlarms.MaxBy(a => a.Key).Value;

    /// <summary>The Paradigm alarm code (AlarmPump h1) a scenario alarm is written with; null when a Paradigm has no such alarm.</summary>
    public static byte? AlarmCodeOf(AlarmKind kind) => kind switch
    {
        // A Paradigm reports a blocked line as "No Delivery": it has no occlusion alarm of its own.
        AlarmKind.Occlusion or AlarmKind.NoDelivery => (byte)MedtronicPumpAlarmType.NoDelivery,
        AlarmKind.BatteryEmpty => (byte)MedtronicPumpAlarmType.BatteryDepleted,
        AlarmKind.AutoOff => (byte)MedtronicPumpAlarmType.AutoOff,
        AlarmKind.ReservoirEmpty => (byte)MedtronicPumpAlarmType.EmptyReservoir,

        // The pump restarts itself after an internal error and logs the reset.
        AlarmKind.PumpError => (byte)MedtronicPumpAlarmType.DeviceReset,
        _ => null,
    };

    /// <summary>Records a whole run of scenario events.</summary>
    public static ParadigmPumpHistory Of(IEnumerable<TherapyEvent> events, MedtronicModel model, TherapyScenarioOptions scenario, int maxPages = 36)
    {
        ArgumentNullException.ThrowIfNull(events);
        var history = new ParadigmPumpHistory(model, scenario, maxPages);
        foreach (var therapyEvent in events)
        {
            history.Record(therapyEvent);
        }

        return history;
    }

    /// <summary>The records of page <paramref name="number"/> (0 the newest), oldest first.</summary>
    public IReadOnlyList<ParadigmHistoryEntry> Entries(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(number, _pages.Count);
        return [.. _pages[_pages.Count - 1 - number]];
    }

    /// <summary>The page's 1024 bytes, CRC sealed, as ReadHistoryData returns them.</summary>
    public byte[] Encode(int number) => MedtronicPageCodec.Encode(new MedtronicHistoryPage(Model, [.. Entries(number).Select(e => e.Record)]));

    /// <summary>Records one scenario event; returns the records it wrote or rewrote (a bolus that ended rewrites its own).</summary>
    public IReadOnlyList<ParadigmHistoryEntry> Record(TherapyEvent therapyEvent)
    {
        ArgumentNullException.ThrowIfNull(therapyEvent);
        var larger = Model.Family == MedtronicModelFamily.X23AndLater;
        var at = Stamp(therapyEvent.Time);
        switch (therapyEvent)
        {
            case BasalRateChanged basal when larger:
                var segment = SegmentOf(basal.Segment);
                if (segment == _profileSegment)
                {
                    return [];
                }

                _profileSegment = segment;
                return Write(therapyEvent, new MedtronicBasalProfileStart(at, segment, TimeSpan.FromHours(_profile[segment].StartHour), _profile[segment].Rate));
            case TemporaryBasalStarted started:
                _runningTemporaryBasal = started.Kind;
                return Write(therapyEvent, TemporaryBasal(at, started.Kind, started.Amount), new MedtronicTempBasalDuration(at, HalfHoursUp(started.Duration)));
            case TemporaryBasalChanged changed:
                _runningTemporaryBasal = changed.Kind;
                return Write(therapyEvent, TemporaryBasal(at, changed.Kind, changed.Amount), new MedtronicTempBasalDuration(at, HalfHoursUp(changed.Duration)));
            case TemporaryBasalEnded ended:
                var kind = _runningTemporaryBasal ?? TemporaryBasalKind.Absolute;
                _runningTemporaryBasal = null;

                // A temp basal that runs out or stops with delivery leaves nothing; a cancel is a zero temp basal of no duration.
                return ended.Ending == TemporaryBasalEnding.Cancelled
                    ? Write(therapyEvent, TemporaryBasal(at, kind, 0), new MedtronicTempBasalDuration(at, TimeSpan.Zero))
                    : [];
            case BolusProgrammed programmed:
                return WriteBolus(programmed, at, larger);
            case BolusDelivered delivered:
                return CompleteBolus(delivered);
            case DeliverySuspended suspended:
                return Write(therapyEvent, new MedtronicSuspendResume(MedtronicRecordType.PumpSuspend, at, larger ? SuspendReasonOf(suspended.Reason) : MedtronicSuspendReason.Unspecified));
            case DeliveryResumed resumed:
                return Write(therapyEvent, new MedtronicSuspendResume(MedtronicRecordType.PumpResume, at, larger ? ResumeReasonOf(resumed.Reason) : MedtronicSuspendReason.Unspecified));
            case Rewound:
                return Write(therapyEvent, new MedtronicPumpEvent(MedtronicRecordType.Rewind, at));
            case ReservoirFilled filled:
                _reservoirUnits = filled.Units;
                return [];
            case ReservoirLevel level:
                _reservoirUnits = level.Units;
                return [];
            case Primed primed:
                // The tubing is primed by holding a key (manual, nothing programmed), the cannula by a fixed amount.
                var programmedAmount = primed.Target == PrimeTarget.Cannula ? primed.Units : 0;
                return Write(therapyEvent, new MedtronicPrime(at, programmedAmount, primed.Units));
            case AlarmChanged alarm:
                return RecordAlarm(alarm, at);
            case BatteryReplaced:
                return Write(therapyEvent, new MedtronicPumpEvent(MedtronicRecordType.Battery, at));
            case DailyTotal total:
                var strokes = Math.Round(total.TotalUnits * MedtronicModel.BasalStrokesPerUnit, MidpointRounding.AwayFromZero);
                return Write(therapyEvent, new MedtronicResultDailyTotal(new MedtronicDate(total.Day), strokes / MedtronicModel.BasalStrokesPerUnit, 0, 0, larger ? [0, 0, 0] : []));
            case ClockChanged clock:
                return Write(therapyEvent, new MedtronicPumpEvent(MedtronicRecordType.ChangeTime, at), new MedtronicPumpEvent(MedtronicRecordType.NewTimeSet, Stamp(clock.NewTime)));
            default:
                return [];
        }
    }

    private IReadOnlyList<ParadigmHistoryEntry> RecordAlarm(AlarmChanged alarm, MedtronicTimestamp at)
    {
        switch (alarm.Transition)
        {
            case AlarmTransition.Raised when alarm.Kind == AlarmKind.ReservoirLow:
                var remaining = Math.Min(25.5m, decimal.Floor((_reservoirUnits ?? 0) * 10) / 10);
                return Write(alarm, new MedtronicLowReservoir(at, remaining));
            case AlarmTransition.Raised when alarm.Kind == AlarmKind.BatteryLow:
                return Write(alarm, new MedtronicPumpEvent(MedtronicRecordType.LowBattery, at));
            case AlarmTransition.Raised when AlarmCodeOf(alarm.Kind) is { } code:
                _openAlarms[alarm.AlarmId] = code;
                return Write(alarm, new MedtronicAlarmPump(at, code, code == (byte)MedtronicPumpAlarmType.NoDelivery ? NoDeliveryFirmwareLine : (ushort)0));
            case AlarmTransition.Cleared when _openAlarms.Remove(alarm.AlarmId, out var cleared):
                return Write(alarm, new MedtronicClearAlarm(at, cleared));
            default:
                return [];
        }
    }

    private List<ParadigmHistoryEntry> WriteBolus(BolusProgrammed programmed, MedtronicTimestamp at, bool larger)
    {
        decimal? unabsorbed = larger ? programmed.Calculation?.ActiveInsulinUnits ?? 0 : null;
        MedtronicBolus Part(MedtronicBolusKind kind, decimal amount, TimeSpan duration) =>
            new(at with { HourHighBits = (byte)kind }, amount, 0, duration, unabsorbed);

        MedtronicHistoryRecord[] records = programmed.Type switch
        {
            BolusType.Square => [Part(MedtronicBolusKind.Square, programmed.ExtendedUnits, programmed.ExtendedDuration)],

            // A dual wave is written as its normal part, then its square part, both flagged dual.
            BolusType.DualWave =>
            [
                Part(MedtronicBolusKind.DualNormal, programmed.ImmediateUnits, TimeSpan.Zero),
                Part(MedtronicBolusKind.DualSquare, programmed.ExtendedUnits, programmed.ExtendedDuration),
            ],

            // Both a 522 and the x23 doctest (decocare records/bolus.py) write a plain normal bolus as kind 2.
            _ => [Part(MedtronicBolusKind.NormalVariable, programmed.ImmediateUnits, TimeSpan.Zero)],
        };
        var written = Write(programmed, records);
        var page = _pages[^1];
        _bolusRecords[programmed.BolusId] = [.. Enumerable.Range(page.Count - written.Count, written.Count).Select(i => (page, i))];
        return written;
    }

    /// <summary>Fills in what a bolus delivered, in place: a square wave keeps its programmed amount and duration when cut short.</summary>
    private List<ParadigmHistoryEntry> CompleteBolus(BolusDelivered delivered)
    {
        if (!_bolusRecords.Remove(delivered.BolusId, out var places))
        {
            return [];
        }

        var rewritten = new List<ParadigmHistoryEntry>();
        foreach (var (page, index) in places)
        {
            var entry = page[index];
            var bolus = (MedtronicBolus)entry.Record;
            var amount = bolus.IsSquareWave || bolus.Kind == MedtronicBolusKind.DualSquare ? delivered.ExtendedUnits : delivered.ImmediateUnits;
            page[index] = entry with { Record = bolus with { Delivered = amount } };
            rewritten.Add(page[index]);
        }

        return rewritten;
    }

    private List<ParadigmHistoryEntry> Write(TherapyEvent source, params MedtronicHistoryRecord[] records)
    {
        var length = records.Sum(r => MedtronicRecordCodec.EncodedLength(r, Model.Family));
        if (_used + length > MedtronicPageFrame.DataSize)
        {
            RollOver();
        }

        var entries = records.Select(r => new ParadigmHistoryEntry(r, source)).ToList();
        _pages[^1].AddRange(entries);
        _used += length;
        return entries;
    }

    private void RollOver()
    {
        if (_pages.Count == MaxPages)
        {
            _pages.RemoveAt(0);
        }

        _pages.Add([]);
        _used = 0;
        CurrentPageNumber++;
    }

    private static MedtronicTempBasal TemporaryBasal(MedtronicTimestamp at, TemporaryBasalKind kind, decimal amount) => kind == TemporaryBasalKind.Relative
        ? MedtronicTempBasal.OfPercent(at, decimal.ToInt32(decimal.Round(amount)))
        : MedtronicTempBasal.Absolute(at, amount);

    private static MedtronicTimestamp Stamp(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Unspecified));

    /// <summary>A Paradigm programs temp basals in half hours: a remaining time is rounded up to the next one.</summary>
    private static TimeSpan HalfHoursUp(TimeSpan duration) =>
        HalfHour * Math.Max(1, Math.Ceiling(duration / HalfHour));

    private static MedtronicSuspendReason SuspendReasonOf(SuspendReason reason) => reason switch
    {
        SuspendReason.Alarm => MedtronicSuspendReason.Alarm,
        SuspendReason.LowGlucose => MedtronicSuspendReason.LowGlucoseSuspend,
        _ => MedtronicSuspendReason.User,
    };

    /// <summary>A low-glucose suspension ends by itself when the wearer does not answer; every other one is resumed by the wearer.</summary>
    private static MedtronicSuspendReason ResumeReasonOf(SuspendReason reason) =>
        reason == SuspendReason.LowGlucose ? MedtronicSuspendReason.AutoResumeAfterNoResponse : MedtronicSuspendReason.ResumeUser;

    /// <summary>A pump stores a profile as segments: consecutive hours of the same rate are one segment.</summary>
    private static List<(int StartHour, decimal Rate)> ProfileSegments(IReadOnlyList<decimal> hourlyRates)
    {
        var segments = new List<(int, decimal)>();
        for (var hour = 0; hour < hourlyRates.Count; hour++)
        {
            if (hour == 0 || hourlyRates[hour] != hourlyRates[hour - 1])
            {
                segments.Add((hour, hourlyRates[hour]));
            }
        }

        return segments;
    }

    private int SegmentOf(int hour)
    {
        var segment = 0;
        while (segment + 1 < _profile.Count && _profile[segment + 1].StartHour <= hour)
        {
            segment++;
        }

        return segment;
    }

    /// <summary>The scenario's resolutions must be ones this model's records can carry: nothing is rounded silently.</summary>
    private static void RequireEncodable(MedtronicModel model, TherapyScenarioOptions scenario)
    {
        if (model.Family == MedtronicModelFamily.UpToX22 && scenario.BolusResolution != 0.1m)
        {
            throw new ArgumentException($"A Paradigm {model.Number} writes boluses in 0.1 U: the scenario's BolusResolution must be 0.1.", nameof(scenario));
        }

        if (scenario.CannulaPrimeUnits * 10 % 1 != 0)
        {
            throw new ArgumentException("A prime is written in 0.1 U: CannulaPrimeUnits must be a multiple of 0.1.", nameof(scenario));
        }

        if (scenario.BasalRates.Any(r => r * MedtronicModel.BasalStrokesPerUnit % 1 != 0 || r * MedtronicModel.BasalStrokesPerUnit > byte.MaxValue))
        {
            throw new ArgumentException("A basal profile segment is written in 0.025 U/h, at most 6.375 U/h.", nameof(scenario));
        }
    }
}
