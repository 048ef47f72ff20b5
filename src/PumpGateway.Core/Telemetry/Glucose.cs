namespace PumpGateway.Telemetry;

/// <summary>A glucose value: from the sensor (CGM) or a meter (fingerstick, calibration).</summary>
public sealed record GlucoseReading : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.Glucose;

    public required GlucoseSource Source { get; init; }

    /// <summary>The value in mg/dL; null when the device reported a condition instead of a value.</summary>
    public double? MgDl { get; init; }

    /// <summary>Set when the device reported no value but a sensor condition (e.g. <c>SENSOR_NOT_ACTIVE</c>).</summary>
    public string? Condition { get; init; }

    /// <summary>The value is the edge of the measurable range, not a measurement (LOW / HIGH).</summary>
    public GlucoseRangeLimit RangeLimit { get; init; }

    public GlucoseTrend Trend { get; init; }

    /// <summary>Rate of change in mg/dL/min where the device states one.</summary>
    public double? RateMgDlPerMin { get; init; }

    /// <summary>Signal noise as the device grades it, verbatim (e.g. <c>clean</c>, <c>light</c>).</summary>
    public string? Noise { get; init; }

    /// <summary>The device marked the record superseded or for display only.</summary>
    public bool DisplayOnly { get; init; }

    public bool Backfilled { get; init; }

    public static double MgDlToMmolL(double mgDl) => Math.Round(mgDl / 18.0182, 1);
}

public enum GlucoseSource
{
    Sensor = 1,
    Meter = 2,
    Calibration = 3,
}

public enum GlucoseRangeLimit
{
    None = 0,
    BelowRange = 1,
    AboveRange = 2,
}

public enum GlucoseTrend
{
    Unknown = 0,
    DoubleUp = 1,
    SingleUp = 2,
    FortyFiveUp = 3,
    Flat = 4,
    FortyFiveDown = 5,
    SingleDown = 6,
    DoubleDown = 7,
    NotComputable = 8,
    RateOutOfRange = 9,
}

/// <summary>Raw sensor signal, kept for diagnostics.</summary>
public sealed record SensorRawReading : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.SensorRaw;

    public required long Unfiltered { get; init; }

    public required long Filtered { get; init; }

    public int? Rssi { get; init; }
}

/// <summary>A sensor session changed state (inserted, started, stopped, expired, failed).</summary>
public sealed record SensorSession : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.SensorSession;

    /// <summary>The state as the device names it, e.g. <c>STARTED</c>, <c>REMOVED</c>, <c>EXPIRED</c>.</summary>
    public required string State { get; init; }

    public DateTimeOffset? InsertionUtc { get; init; }
}

/// <summary>Something the wearer entered on the device: carbohydrates, insulin, exercise, health.</summary>
public sealed record UserEntry : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.UserEntry;

    public required UserEntryType EntryType { get; init; }

    /// <summary>Subtype as the device names it (e.g. exercise intensity, health event).</summary>
    public string? Subtype { get; init; }

    /// <summary>The value in the entry's unit: grams of carbohydrate, IU of insulin, minutes of exercise.</summary>
    public decimal? Value { get; init; }
}

public enum UserEntryType
{
    Other = 0,
    Carbohydrates = 1,
    Insulin = 2,
    Health = 3,
    Exercise = 4,
}
