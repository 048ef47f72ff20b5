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
}

public enum TemporaryBasalPhase
{
    Started = 1,
    Changed = 2,
    Ended = 3,
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
