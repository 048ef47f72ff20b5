namespace PumpGateway.Telemetry;

/// <summary>A basal rate took effect from the programmed profile.</summary>
public sealed record ScheduledBasal : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.ScheduledBasal;

    public required decimal UnitsPerHour { get; init; }

    public string? Profile { get; init; }

    /// <summary>Index of the segment in the profile's (up to 24) hourly rates.</summary>
    public int? SegmentIndex { get; init; }

    public TimeSpan? SegmentStart { get; init; }
}

/// <summary>A temporary basal rate, absolute (IU/h) or relative (percent of scheduled).</summary>
public sealed record TemporaryBasal : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.TemporaryBasal;

    public required TemporaryBasalPhase Phase { get; init; }

    public decimal? UnitsPerHour { get; init; }

    public int? Percent { get; init; }

    public required TimeSpan ProgrammedDuration { get; init; }

    /// <summary>On <see cref="TemporaryBasalPhase.Ended"/>: how long it actually ran.</summary>
    public TimeSpan? EffectiveDuration { get; init; }

    /// <summary>On <see cref="TemporaryBasalPhase.Ended"/>: why, as the device says (duration over, cancelled, error).</summary>
    public string? EndReason { get; init; }
}

public enum TemporaryBasalPhase
{
    Started = 1,
    Changed = 2,
    Ended = 3,

    /// <summary>
    /// The rate the pump delivers under the running temporary basal changed, as the pump reports it (an IDS
    /// pump's delivered basal rate while the schedule under a relative temporary basal moves): UnitsPerHour is
    /// that rate from now until the temporary basal ends; ProgrammedDuration is the temporary basal's.
    /// </summary>
    DeliveredRateChanged = 4,
}

/// <summary>Insulin delivery stopped or restarted.</summary>
public sealed record DeliveryStateChange : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.DeliveryState;

    public required bool Suspended { get; init; }

    /// <summary>Why, as the device says (user, alarm, low glucose, battery change …).</summary>
    public string? Reason { get; init; }
}

/// <summary>A bolus: what was programmed and what was delivered, immediate and extended parts.</summary>
public sealed record Bolus : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.Bolus;

    public required BolusType BolusType { get; init; }

    public required decimal ProgrammedUnits { get; init; }

    public required decimal DeliveredUnits { get; init; }

    public decimal? ProgrammedExtendedUnits { get; init; }

    public decimal? DeliveredExtendedUnits { get; init; }

    public TimeSpan? ExtendedDuration { get; init; }

    /// <summary>Delivery stopped before the programmed amount.</summary>
    public bool Cancelled => DeliveredUnits + (DeliveredExtendedUnits ?? 0) < ProgrammedUnits + (ProgrammedExtendedUnits ?? 0);
}

public enum BolusType
{
    Normal = 1,
    Square = 2,
    DualWave = 3,
}

/// <summary>
/// Work on the pump that is not delivery to the wearer: a rewind, a reservoir filled, a prime of
/// the tubing or cannula (together: a new infusion set), a battery changed, the clock set.
/// </summary>
public sealed record PumpMaintenance : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.PumpMaintenance;

    public required PumpMaintenanceAction Action { get; init; }

    /// <summary>Insulin involved: the fill of a reservoir, the amount primed.</summary>
    public decimal? Units { get; init; }

    /// <summary>On <see cref="PumpMaintenanceAction.ClockSet"/>: the device clock before and after.</summary>
    public DateTime? ClockBefore { get; init; }

    public DateTime? ClockAfter { get; init; }

    /// <summary>The device's own words for it.</summary>
    public string? Detail { get; init; }
}

public enum PumpMaintenanceAction
{
    Rewind = 1,
    ReservoirFilled = 2,
    TubingPrimed = 3,
    CannulaPrimed = 4,

    /// <summary>A prime the device does not say the target of.</summary>
    Primed = 5,
    BatteryChanged = 6,
    ClockSet = 7,
}

/// <summary>The insulin a pump says it delivered on one day of its own clock; the split where the pump gives it.</summary>
public sealed record DailyInsulinTotal : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.DailyInsulinTotal;

    public required DateOnly Day { get; init; }

    public required decimal TotalUnits { get; init; }

    public decimal? BasalUnits { get; init; }

    public decimal? BolusUnits { get; init; }
}
