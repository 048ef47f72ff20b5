using System.Buffers.Binary;
using System.Text.Json.Serialization;

namespace PumpGateway.Devices.Dexcom;

/// <summary>
/// A database record. Every record starts with the receiver's system time and display time
/// (display = system + the wearer's clock offset) and ends with its own CRC.
/// </summary>
public abstract record DexcomRecord(uint SystemSeconds, uint DisplaySeconds)
{
    public DateTime SystemTime => DexcomTime.ToDateTime(SystemSeconds);

    public DateTime DisplayTime => DexcomTime.ToDateTime(DisplaySeconds);
}

public enum DexcomTrend : byte
{
    None = 0,
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

public enum DexcomNoise : byte
{
    None = 0,
    Clean = 1,
    Light = 2,
    Medium = 3,
    Heavy = 4,
    NotComputed = 5,
    Max = 6,
}

/// <summary>Glucose words below 20 are not glucose but a sensor condition; the others below 20 are reserved.</summary>
public enum DexcomSpecialGlucose : byte
{
    None = 0,
    SensorNotActive = 1,
    MinimalDeviation = 2,
    NoAntenna = 3,
    SensorNotCalibrated = 5,
    CountsDeviation = 6,
    AbsoluteDeviation = 9,
    PowerDeviation = 10,
    BadRf = 12,
}

/// <summary>An estimated glucose value (EGV_DATA), revisions 1 to 5.</summary>
public sealed record EgvRecord(uint SystemSeconds, uint DisplaySeconds, ushort GlucoseWord, byte TrendNoise) : DexcomRecord(SystemSeconds, DisplaySeconds)
{
    /// <summary>Below this the word is a <see cref="DexcomSpecialGlucose"/> condition.</summary>
    public const int FirstGlucoseValue = 20;

    /// <summary>Revision 4 and later: the system time repeated by the transmitter path.</summary>
    public uint? TransmitterSystemSeconds { get; init; }

    public uint? TransmitterSeconds { get; init; }

    public sbyte? FilteredRate { get; init; }

    public byte? AlgorithmState { get; init; }

    /// <summary>Revision 5: the predicted glucose word (0x8000 urgent-low-soon, value 13 = no prediction).</summary>
    public ushort? PredictedGlucoseWord { get; init; }

    public int GlucoseMgDl => GlucoseWord & 0x3FF;

    public bool IsSpecialValue => GlucoseMgDl < FirstGlucoseValue;

    [JsonConverter(typeof(JsonStringEnumConverter<DexcomSpecialGlucose>))]
    public DexcomSpecialGlucose? SpecialValue => IsSpecialValue ? (DexcomSpecialGlucose)GlucoseMgDl : null;

    [JsonConverter(typeof(JsonStringEnumConverter<DexcomTrend>))]
    public DexcomTrend Trend => (DexcomTrend)(TrendNoise & 0x0F);

    [JsonConverter(typeof(JsonStringEnumConverter<DexcomNoise>))]
    public DexcomNoise Noise => (DexcomNoise)((TrendNoise >> 4) & 0x07);

    /// <summary>Revisions 1 to 4: bit 15 marks a superseded, display-only value.</summary>
    public bool DisplayOnly => PredictedGlucoseWord is null && (GlucoseWord & 0x8000) != 0;

    /// <summary>Revision 5 flags.</summary>
    public bool ComputedOnDisplay => PredictedGlucoseWord is not null && (GlucoseWord & 0x8000) != 0;

    public bool ComputedOnTransmitter => PredictedGlucoseWord is not null && (GlucoseWord & 0x4000) != 0;

    public bool Backfilled => PredictedGlucoseWord is not null && (GlucoseWord & 0x2000) != 0;
}

/// <summary>A meter (fingerstick) glucose entered as a calibration (METER_DATA).</summary>
public sealed record MeterRecord(uint SystemSeconds, uint DisplaySeconds, ushort MeterGlucoseMgDl, uint MeterSeconds) : DexcomRecord(SystemSeconds, DisplaySeconds)
{
    /// <summary>Revision 3 only.</summary>
    public byte? EntryType { get; init; }

    /// <summary>Revision 3 only.</summary>
    public uint? MeterTransmitterSeconds { get; init; }
}

/// <summary>Raw sensor signal (SENSOR_DATA).</summary>
public sealed record SensorRecord(uint SystemSeconds, uint DisplaySeconds, uint Unfiltered, uint Filtered, short Rssi) : DexcomRecord(SystemSeconds, DisplaySeconds);

public enum DexcomSessionState : byte
{
    Removed = 1,
    Expired = 2,
    ResidualDeviation = 3,
    CountsDeviation = 4,
    SecondSession = 5,
    OffTimeLoss = 6,
    Started = 7,
    BadTransmitter = 8,
    ManufacturingMode = 9,
}

/// <summary>A sensor session change (INSERTION_TIME).</summary>
public sealed record InsertionTimeRecord(uint SystemSeconds, uint DisplaySeconds, uint InsertionSecondsRaw, DexcomSessionState SessionState) : DexcomRecord(SystemSeconds, DisplaySeconds)
{
    public const uint UseSystemTime = uint.MaxValue;

    /// <summary>The insertion time in system seconds; the raw value 0xFFFFFFFF means the record's own system time.</summary>
    public uint InsertionSystemSeconds => InsertionSecondsRaw == UseSystemTime ? SystemSeconds : InsertionSecondsRaw;
}

public enum DexcomUserEventType : byte
{
    Carbs = 1,
    Insulin = 2,
    Health = 3,
    Exercise = 4,
}

/// <summary>Something the wearer entered on the receiver (USER_EVENT_DATA).</summary>
public sealed record UserEventRecord(uint SystemSeconds, uint DisplaySeconds, DexcomUserEventType EventType, byte Subtype, uint EventSeconds, uint RawValue) : DexcomRecord(SystemSeconds, DisplaySeconds)
{
    private static readonly string[] HealthSubtypes = ["", "illness", "stress", "high-symptoms", "low-symptoms", "cycle", "alcohol"];
    private static readonly string[] ExerciseSubtypes = ["", "light", "medium", "heavy"];

    /// <summary>Grams of carbohydrate, IU of insulin (the receiver stores hundredths), or the raw value.</summary>
    public decimal Value => EventType == DexcomUserEventType.Insulin ? RawValue / 100m : RawValue;

    public string? SubtypeName => EventType switch
    {
        DexcomUserEventType.Health when Subtype < HealthSubtypes.Length => HealthSubtypes[Subtype],
        DexcomUserEventType.Exercise when Subtype < ExerciseSubtypes.Length => ExerciseSubtypes[Subtype],
        _ => null,
    };

    internal static bool IsValidSubtype(DexcomUserEventType type, byte subtype) => type switch
    {
        DexcomUserEventType.Health => subtype is >= 1 and <= 6,
        DexcomUserEventType.Exercise => subtype is >= 1 and <= 3,
        _ => subtype == 0,
    };
}

/// <summary>Manufacturing parameters (MANUFACTURING_DATA): where the serial number is.</summary>
public sealed record ManufacturingDataRecord(uint SystemSeconds, uint DisplaySeconds, IReadOnlyDictionary<string, string> Parameters) : DexcomRecord(SystemSeconds, DisplaySeconds)
{
    public string SerialNumber => Parameters.TryGetValue("SerialNumber", out var serial) ? serial : "";

    public bool Equals(ManufacturingDataRecord? other) =>
        other is not null && base.Equals(other) && Parameters.Count == other.Parameters.Count
        && Parameters.All(p => other.Parameters.TryGetValue(p.Key, out var value) && value == p.Value);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Parameters.Count);
}
