namespace PumpGateway.Telemetry;

/// <summary>An alarm transition as the device recorded it, with the vendor's own words kept.</summary>
public sealed record Alarm : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.Alarm;

    public required AlarmKind AlarmKind { get; init; }

    public required AlarmSeverity Severity { get; init; }

    public required AlarmTransition Transition { get; init; }

    public required string VendorCode { get; init; }

    public string? VendorText { get; init; }

    /// <summary>Ties the raised / acknowledged / cleared transitions of one alarm together, where the device says.</summary>
    public string? InstanceKey { get; init; }
}

/// <summary>The normalized alarm taxonomy (ARCHITECTURE.md, "Alarm taxonomy").</summary>
public enum AlarmKind
{
    Other = 0,
    Occlusion = 1,
    ReservoirLow = 2,
    ReservoirEmpty = 3,
    BatteryLow = 4,
    BatteryEmpty = 5,
    NoDelivery = 6,
    InfusionSetDetached = 7,
    AutoOff = 8,
    PumpError = 9,
    Temperature = 10,
    OverLimit = 11,
    SensorIssue = 12,

    // 13 is Other on the wire (the proto's enum); the domain keeps 0 for it.

    /// <summary>A CGM's low or urgent-low glucose alert.</summary>
    GlucoseLow = 14,

    /// <summary>A CGM's high or urgent-high glucose alert.</summary>
    GlucoseHigh = 15,

    /// <summary>A CGM's rate-of-rise or rate-of-fall alert.</summary>
    GlucoseRateOfChange = 16,
}

public enum AlarmSeverity
{
    Info = 1,
    Warning = 2,
    Alarm = 3,
    Critical = 4,
}

public enum AlarmTransition
{
    Raised = 1,
    Acknowledged = 2,
    Cleared = 3,
}

/// <summary>Battery and reservoir as read from the device.</summary>
public sealed record DeviceStatus : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.DeviceStatus;

    public int? BatteryPercent { get; init; }

    public double? BatteryVolts { get; init; }

    /// <summary>Charging state or battery condition as the device words it.</summary>
    public string? BatteryState { get; init; }

    public decimal? ReservoirUnits { get; init; }
}
