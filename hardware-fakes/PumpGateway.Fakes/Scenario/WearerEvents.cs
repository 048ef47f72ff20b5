using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Scenario;

/// <summary>
/// What the wearer did or suffered that no pump records: the ground truth behind the glucose.
/// Times are on the scenario's axis (the wearer's watch, the CGM's clock).
/// </summary>
public abstract record WearerActivity(DateTime Time);

/// <summary>A planned meal eaten; <see cref="Slow"/> meals (fat, protein) absorb over hours.</summary>
public sealed record MealEaten(DateTime Time, int CarbGrams, bool Slow) : WearerActivity(Time);

/// <summary>Fast carbohydrate taken for a low, never bolused.</summary>
public sealed record HypoTreated(DateTime Time, int CarbGrams) : WearerActivity(Time);

public sealed record ExerciseStarted(DateTime Time, TimeSpan Duration) : WearerActivity(Time);

/// <summary>From here insulin the pump delivers does not reach the wearer (a detached set, an occlusion).</summary>
public sealed record InsulinLossStarted(DateTime Time, AlarmKind Cause, bool Detected) : WearerActivity(Time);

/// <summary>The loss ended: a new set is in.</summary>
public sealed record InsulinLossEnded(DateTime Time) : WearerActivity(Time);

/// <summary>
/// A CGM sensor's session as a CGMS sensor records it: start, warm-up without readings,
/// fingerstick calibrations, end. <see cref="Sequence"/> counts the sensor's events from 1.
/// </summary>
public abstract record CgmEvent(DateTime Time, long Sequence, int Session);

public sealed record SensorSessionStarted(DateTime Time, long Sequence, int Session) : CgmEvent(Time, Sequence, Session);

public sealed record SensorWarmUpEnded(DateTime Time, long Sequence, int Session) : CgmEvent(Time, Sequence, Session);

/// <summary>A fingerstick value near the true glucose, entered to calibrate the sensor.</summary>
public sealed record SensorCalibrated(DateTime Time, long Sequence, int Session, int MgDl) : CgmEvent(Time, Sequence, Session);

public sealed record SensorSessionEnded(DateTime Time, long Sequence, int Session) : CgmEvent(Time, Sequence, Session);
