using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Scenario;

/// <summary>
/// The knobs of a generated pump wearer: the pump's settings and resolutions, the wearer's
/// therapy settings, and how often things happen. Rates are per day drawn at most once a day
/// (a rate above 7 a week is a daily event). Times are on the scenario's axis, the pump clock
/// as it stood at <see cref="Start"/>.
/// </summary>
public sealed record TherapyScenarioOptions
{
    /// <summary>A realistic adult profile, IU/h for 00:00 … 23:00: low after midnight, a dawn peak at 6:00.</summary>
    public static IReadOnlyList<decimal> DefaultBasalRates { get; } =
    [
        0.65m, 0.55m, 0.55m, 0.70m, 0.90m, 1.10m, 1.25m, 1.20m, 1.00m, 0.90m, 0.85m, 0.80m,
        0.80m, 0.75m, 0.75m, 0.75m, 0.80m, 0.85m, 0.90m, 0.90m, 0.85m, 0.80m, 0.75m, 0.70m,
    ];

    public int Seed { get; init; } = 1;

    /// <summary>The scenario's first second (whole seconds, <see cref="DateTimeKind.Unspecified"/>).</summary>
    public required DateTime Start { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromDays(14);

    /// <summary>24 hourly rates in IU/h, each a multiple of <see cref="BasalResolution"/>.</summary>
    public IReadOnlyList<decimal> BasalRates { get; init; } = DefaultBasalRates;

    /// <summary>0.05 or 0.025 IU/h; basal is delivered in pulses of this many IU.</summary>
    public decimal BasalResolution { get; init; } = 0.05m;

    /// <summary>0.05 or 0.1 IU: every bolus amount is a multiple, delivered in pulses of this size.</summary>
    public decimal BolusResolution { get; init; } = 0.05m;

    public decimal BolusUnitsPerMinute { get; init; } = 1.5m;

    public decimal ReservoirCapacityUnits { get; init; } = 300m;

    /// <summary>The "reservoir low" alarm is raised when the level falls to this.</summary>
    public decimal ReservoirLowUnits { get; init; } = 20m;

    /// <summary>A reservoir level is recorded each time the level falls to a multiple of this (and after priming).</summary>
    public decimal ReservoirReportStepUnits { get; init; } = 5m;

    public decimal CannulaPrimeUnits { get; init; } = 0.3m;

    public decimal CarbRatioGramsPerUnit { get; init; } = 10m;

    /// <summary>Insulin sensitivity factor: mg/dL one IU lowers glucose.</summary>
    public decimal SensitivityMgDlPerUnit { get; init; } = 45m;

    public int TargetMgDl { get; init; } = 110;

    /// <summary>The bolus calculator adds a correction above this glucose.</summary>
    public int CorrectAboveMgDl { get; init; } = 150;

    /// <summary>Carbohydrate meals a day, at roughly 7:30, 12:30 and 19:30 (the glucose scenario's meals).</summary>
    public int MealsPerDay { get; init; } = 3;

    /// <summary>Share of meals without a bolus.</summary>
    public double MissedBolusShare { get; init; } = 0.04;

    /// <summary>Share of meals bolused 20-90 minutes after eating.</summary>
    public double LateBolusShare { get; init; } = 0.08;

    /// <summary>Exercise with a relative temporary basal (about 50 % for 60-120 min), a few times a week.</summary>
    public double ExercisePerWeek { get; init; } = 3;

    public double AbsoluteTemporaryBasalsPerWeek { get; init; } = 0.5;

    /// <summary>The wearer suspends delivery (shower, swim) …</summary>
    public double UserSuspendsPerWeek { get; init; } = 2;

    /// <summary>… and this share of those suspensions is forgotten for more than 2 hours.</summary>
    public double LongSuspensionShare { get; init; } = 0.15;

    /// <summary>The pump suspends when the sensor reads 65 mg/dL or less, for up to 2 hours.</summary>
    public bool LowGlucoseSuspend { get; init; } = true;

    /// <summary>Unscripted alarms (occlusion, no delivery, set detached, auto-off, pump error).</summary>
    public double RandomAlarmsPerWeek { get; init; } = 0.3;

    /// <summary>Failures the pump misses (a set that came off, a partial occlusion): insulin is lost for 2-6 hours.</summary>
    public double UndetectedFailuresPerMonth { get; init; } = 0.5;

    public IReadOnlyList<ScriptedAlarm> ScriptedAlarms { get; init; } = [];

    /// <summary>The wearer sets the pump clock (an hour for daylight saving, or minutes of drift). Off by default.</summary>
    public double ClockChangesPerMonth { get; init; }

    public TimeSpan GlucoseInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a CGM sensor session runs before the sensor ends it.</summary>
    public TimeSpan SensorSession { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan SensorWarmUp { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Fingerstick calibrations a day (0 for a factory-calibrated sensor, at most 2).</summary>
    public int CalibrationsPerDay { get; init; } = 2;

    internal void Validate()
    {
        Require(Start.Kind == DateTimeKind.Unspecified && Start.Ticks % TimeSpan.TicksPerSecond == 0, "Start must be a device-local time (Kind Unspecified) in whole seconds.");
        Require(Duration >= TimeSpan.Zero && Duration.Ticks % TimeSpan.TicksPerSecond == 0, "Duration must be whole seconds and not negative.");
        Require(BasalResolution is 0.05m or 0.025m, "BasalResolution must be 0.05 or 0.025 IU/h.");
        Require(BolusResolution is 0.05m or 0.1m, "BolusResolution must be 0.05 or 0.1 IU.");
        Require(BasalRates.Count == 24, "BasalRates needs 24 hourly rates.");
        Require(BasalRates.All(r => r >= 0 && r % BasalResolution == 0), "Every basal rate must be a non-negative multiple of BasalResolution.");
        Require(BolusUnitsPerMinute > 0 && BolusUnitsPerMinute * 1000 % 1 == 0, "BolusUnitsPerMinute must be positive, in thousandths.");
        Require(CannulaPrimeUnits >= 0 && CannulaPrimeUnits % BolusResolution == 0, "CannulaPrimeUnits must be a multiple of BolusResolution.");
        Require(ReservoirCapacityUnits >= 100 && ReservoirLowUnits >= 0 && ReservoirReportStepUnits > 0, "Reservoir capacity, threshold and report step are out of range.");
        Require(CarbRatioGramsPerUnit > 0 && SensitivityMgDlPerUnit > 0, "Carb ratio and sensitivity must be positive.");
        Require(GlucoseInterval > TimeSpan.Zero && GlucoseInterval.Ticks % TimeSpan.TicksPerMinute == 0, "GlucoseInterval must be whole minutes.");
        Require(SensorWarmUp >= TimeSpan.Zero && SensorSession > SensorWarmUp, "A sensor session must outlast its warm-up.");
        Require(CalibrationsPerDay is >= 0 and <= 2, "CalibrationsPerDay must be 0, 1 or 2.");
        Require(MealsPerDay is >= 0 and <= 3, "MealsPerDay must be 0 to 3.");
        foreach (var alarm in ScriptedAlarms)
        {
            Require(alarm.Time.Ticks % TimeSpan.TicksPerSecond == 0, "Scripted alarm times must be whole seconds.");
            Require(alarm.Detected || alarm.Kind is AlarmKind.InfusionSetDetached or AlarmKind.Occlusion, "Only a detached set or an occlusion can go undetected.");
            Require(alarm.Lasting is null || alarm.Lasting.Value > TimeSpan.Zero, "A scripted alarm must last a positive time.");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}

/// <summary>
/// An alarm the scenario must raise at <see cref="Time"/>, with its consequence: an occlusion,
/// an empty reservoir or battery, a pump error, no delivery or auto-off stop delivery until it
/// is cleared; a detached set loses the insulin the pump delivers until the set is changed.
/// </summary>
public sealed record ScriptedAlarm(DateTime Time, AlarmKind Kind)
{
    /// <summary>How long until the wearer resolves it (a set change, a new battery, a restart); drawn when null.</summary>
    public TimeSpan? Lasting { get; init; }

    /// <summary>
    /// False for a failure the pump misses (a set that came off, a partial occlusion): nothing is
    /// raised, the insulin is lost all the same, and the wearer changes the set when it has lasted.
    /// </summary>
    public bool Detected { get; init; } = true;
}
