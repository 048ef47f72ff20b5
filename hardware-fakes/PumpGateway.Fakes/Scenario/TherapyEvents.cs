using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Scenario;

/// <summary>
/// One thing the pump recorded, device-neutral: the family emulators map these to IDS history
/// events, Medtronic records and so on. <see cref="Time"/> is the pump clock when it happened
/// (whole seconds); <see cref="Sequence"/> counts from 1 in the order things happened and is the
/// event's stable identity. Amounts are decimal IU at the pump's resolution.
/// </summary>
public abstract record TherapyEvent(DateTime Time, long Sequence);

/// <summary>
/// The basal rate being delivered changed: at an hour boundary where the profile's rate differs,
/// or when a temporary basal or a suspension starts or ends. <see cref="UnitsPerHour"/> is what
/// is delivered (0 while suspended), <see cref="ScheduledUnitsPerHour"/> the profile's rate in
/// <see cref="Segment"/> (the hour of the pump clock).
/// </summary>
public sealed record BasalRateChanged(DateTime Time, long Sequence, decimal UnitsPerHour, decimal ScheduledUnitsPerHour, int Segment)
    : TherapyEvent(Time, Sequence);

public enum TemporaryBasalKind
{
    /// <summary>Amount is a percentage of the scheduled rate.</summary>
    Relative = 1,

    /// <summary>Amount is a rate in IU/h.</summary>
    Absolute = 2,
}

public enum TemporaryBasalEnding
{
    Completed = 1,
    Cancelled = 2,

    /// <summary>Delivery stopped (a suspension or an alarm), which ends a temporary basal.</summary>
    DeliveryStopped = 3,
}

public sealed record TemporaryBasalStarted(DateTime Time, long Sequence, int TemporaryBasalId, TemporaryBasalKind Kind, decimal Amount, TimeSpan Duration)
    : TherapyEvent(Time, Sequence);

/// <summary>The wearer changed a running temporary basal; <see cref="Duration"/> runs from this change to its end.</summary>
public sealed record TemporaryBasalChanged(DateTime Time, long Sequence, int TemporaryBasalId, TemporaryBasalKind Kind, decimal Amount, TimeSpan Duration)
    : TherapyEvent(Time, Sequence);

public sealed record TemporaryBasalEnded(DateTime Time, long Sequence, int TemporaryBasalId, TemporaryBasalEnding Ending)
    : TherapyEvent(Time, Sequence);

/// <summary>What the bolus calculator used: carbs over the carb ratio, a correction over the sensitivity factor less active insulin.</summary>
public sealed record BolusCalculation(int CarbGrams, int? GlucoseMgDl, decimal CarbUnits, decimal CorrectionUnits, decimal ActiveInsulinUnits);

/// <summary>
/// A bolus was programmed: an immediate part, an extended part over <see cref="ExtendedDuration"/>
/// (square: only extended; dual wave: both). Its delivery ends with a <see cref="BolusDelivered"/>
/// of the same <see cref="BolusId"/>.
/// </summary>
public sealed record BolusProgrammed(
    DateTime Time,
    long Sequence,
    int BolusId,
    BolusType Type,
    decimal ImmediateUnits,
    decimal ExtendedUnits,
    TimeSpan ExtendedDuration,
    BolusCalculation Calculation) : TherapyEvent(Time, Sequence)
{
    public decimal TotalUnits => ImmediateUnits + ExtendedUnits;
}

public enum BolusOutcome
{
    Completed = 1,

    /// <summary>The wearer cancelled it part way.</summary>
    Cancelled = 2,

    /// <summary>Delivery stopped under it: a suspension, an occlusion, an empty reservoir …</summary>
    Interrupted = 3,
}

/// <summary>A bolus ended: what was programmed and what was delivered (less when cancelled or interrupted).</summary>
public sealed record BolusDelivered(
    DateTime Time,
    long Sequence,
    int BolusId,
    DateTime Started,
    BolusType Type,
    decimal ProgrammedImmediateUnits,
    decimal ProgrammedExtendedUnits,
    decimal ImmediateUnits,
    decimal ExtendedUnits,
    BolusOutcome Outcome) : TherapyEvent(Time, Sequence)
{
    public decimal ProgrammedUnits => ProgrammedImmediateUnits + ProgrammedExtendedUnits;

    public decimal DeliveredUnits => ImmediateUnits + ExtendedUnits;
}

public enum SuspendReason
{
    User = 1,
    Alarm = 2,
    LowGlucose = 3,

    /// <summary>Delivery stops while the reservoir and set are changed.</summary>
    SetChange = 4,
}

/// <summary>Delivery stopped (basal and boluses).</summary>
public sealed record DeliverySuspended(DateTime Time, long Sequence, SuspendReason Reason) : TherapyEvent(Time, Sequence);

/// <summary>Delivery restarted; <see cref="Reason"/> is the cause of stopping that ended last.</summary>
public sealed record DeliveryResumed(DateTime Time, long Sequence, SuspendReason Reason) : TherapyEvent(Time, Sequence);

/// <summary>The drive was rewound to take a new reservoir: the first step of a set change.</summary>
public sealed record Rewound(DateTime Time, long Sequence) : TherapyEvent(Time, Sequence);

public sealed record ReservoirFilled(DateTime Time, long Sequence, decimal Units) : TherapyEvent(Time, Sequence);

public enum PrimeTarget
{
    Tubing = 1,
    Cannula = 2,
}

/// <summary>Insulin pushed to fill the tubing, then the cannula: it leaves the reservoir but is not therapy.</summary>
public sealed record Primed(DateTime Time, long Sequence, PrimeTarget Target, decimal Units) : TherapyEvent(Time, Sequence);

/// <summary>The reservoir's level: after priming, and each time it falls to a multiple of the report step.</summary>
public sealed record ReservoirLevel(DateTime Time, long Sequence, decimal Units) : TherapyEvent(Time, Sequence);

public sealed record BatteryLevel(DateTime Time, long Sequence, int Percent, decimal Volts) : TherapyEvent(Time, Sequence);

public sealed record BatteryReplaced(DateTime Time, long Sequence, int Percent, decimal Volts) : TherapyEvent(Time, Sequence);

/// <summary>An alarm's transition; the transitions of one alarm share <see cref="AlarmId"/>.</summary>
public sealed record AlarmChanged(DateTime Time, long Sequence, int AlarmId, AlarmKind Kind, AlarmSeverity Severity, AlarmTransition Transition)
    : TherapyEvent(Time, Sequence);

/// <summary>Insulin delivered on the pump's <see cref="Day"/> (priming excluded), recorded at the following midnight.</summary>
public sealed record DailyTotal(DateTime Time, long Sequence, DateOnly Day, decimal BasalUnits, decimal BolusUnits) : TherapyEvent(Time, Sequence)
{
    public decimal TotalUnits => BasalUnits + BolusUnits;
}

/// <summary>The wearer set the pump clock from <see cref="OldTime"/> to <see cref="NewTime"/>; later events carry the new clock.</summary>
public sealed record ClockChanged(DateTime Time, long Sequence, DateTime NewTime) : TherapyEvent(Time, Sequence)
{
    public DateTime OldTime => Time;
}

public enum DeliveryKind
{
    Basal = 1,
    Bolus = 2,
    Prime = 3,
}

/// <summary>
/// Ground truth of what left the reservoir: <see cref="Units"/> delivered from <see cref="From"/>
/// to <see cref="To"/> (pump clock) after the event numbered <see cref="AfterSequence"/> and
/// before the next one (0: before any event). <see cref="BolusId"/> is 0 unless a bolus.
/// </summary>
public readonly record struct InsulinDelivery(long AfterSequence, DeliveryKind Kind, int BolusId, decimal Units, DateTime From, DateTime To);

/// <summary>The pump as it stands after the last simulated second, for an emulator's status reads.</summary>
public sealed record PumpStatus(
    DateTime Time,
    bool Suspended,
    decimal ReservoirUnits,
    int BatteryPercent,
    decimal BatteryVolts,
    decimal BasalUnitsPerHour,
    int? TemporaryBasalId,
    IReadOnlyList<int> ActiveBolusIds,
    IReadOnlyList<int> OpenAlarmIds,
    decimal TodayBasalUnits,
    decimal TodayBolusUnits);
