namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// Glucose-page opcodes (ReadGlucoseHistory, command 154). The page is written forwards but read
/// backwards from its end: each record is its opcode followed, in reading order, by its payload.
/// Names per decocare cgm/__init__.py, rileylink_ios GlucoseEvents and Tidepool CBG_RECORD_TYPES.
/// </summary>
public enum MedtronicGlucoseRecordType : byte
{
    /// <summary>A 0x00 byte between records: both reference parsers skip it; kept so the page re-encodes.</summary>
    ZeroByte = 0x00,
    DataEnd = 0x01,
    SensorWeakSignal = 0x02,
    SensorCalibration = 0x03,
    SensorPacket = 0x04,
    SensorError = 0x05,
    GlucoseBelow40 = 0x06,
    GlucoseAbove400 = 0x07,
    SensorTimestamp = 0x08,
    BatteryChange = 0x0A,
    SensorStatus = 0x0B,
    DateTimeChange = 0x0C,
    SensorSync = 0x0D,
    CalibrationBg = 0x0E,
    SensorCalibrationFactor = 0x0F,

    /// <summary>0x10: "10-Something" in decocare and rileylink_ios, SENSOR_SPECIAL_DISPLAY_EVENT in Tidepool; a timestamp, nothing else known.</summary>
    SensorSpecialDisplay = 0x10,
    NoOp = 0x13,

    /// <summary>Every opcode from 0x14 up is a sensor glucose value of opcode x 2 mg/dL.</summary>
    SensorGlucose = 0x14,
}

public abstract record MedtronicGlucoseRecord
{
    public abstract MedtronicGlucoseRecordType Type { get; }
}

/// <summary>A sensor glucose reading: the opcode itself, x 2 mg/dL (40 to 510).</summary>
public sealed record MedtronicSensorGlucose(byte Value) : MedtronicGlucoseRecord
{
    public override MedtronicGlucoseRecordType Type => MedtronicGlucoseRecordType.SensorGlucose;

    public int MgDl => Value * 2;
}

/// <summary>
/// Records without a timestamp of their own: ZeroByte, DataEnd, SensorWeakSignal, NoOp,
/// GlucoseBelow40 (no argument) and SensorCalibration (argument 1 = waiting, else meter BG now),
/// SensorPacket (2 = init), SensorError (1 = end), GlucoseAbove400 (argument unexplained).
/// </summary>
public sealed record MedtronicGlucoseMarker(MedtronicGlucoseRecordType MarkerType, byte? Argument = null) : MedtronicGlucoseRecord
{
    public override MedtronicGlucoseRecordType Type => MarkerType;
}

/// <summary>What a SensorTimestamp marks (rileylink_ios: reading-order byte 3 bits 5-6).</summary>
public enum MedtronicSensorTimestampKind : byte
{
    LastRf = 0,
    PageEnd = 1,
    Gap = 2,
}

/// <summary>What a SensorStatus reports (rileylink_ios: reading-order byte 3 bits 5-6).</summary>
public enum MedtronicSensorStatusKind : byte
{
    Off = 0,
    On = 1,
    Lost = 2,
}

/// <summary>
/// Records that are a timestamp and nothing else: SensorTimestamp (the anchor of the glucose
/// values before it), BatteryChange, SensorStatus, DateTimeChange, SensorSync, SensorSpecialDisplay.
/// </summary>
public sealed record MedtronicGlucoseTimestamped(MedtronicGlucoseRecordType StampType, MedtronicGlucoseTimestamp Timestamp) : MedtronicGlucoseRecord
{
    public override MedtronicGlucoseRecordType Type => StampType;

    public MedtronicSensorTimestampKind? TimestampKind =>
        StampType == MedtronicGlucoseRecordType.SensorTimestamp && (Timestamp.DayHighBits & 3) != 3 ? (MedtronicSensorTimestampKind)(Timestamp.DayHighBits & 3) : null;

    public MedtronicSensorStatusKind? StatusKind =>
        StampType == MedtronicGlucoseRecordType.SensorStatus && (Timestamp.DayHighBits & 3) != 3 ? (MedtronicSensorStatusKind)(Timestamp.DayHighBits & 3) : null;
}

/// <summary>0x0E CalBGForGH: the BG the sensor was calibrated with; bit 8 is reading-order byte 3 bit 5 (decocare).</summary>
public sealed record MedtronicCalibrationBg(MedtronicGlucoseTimestamp Timestamp, byte LowByte) : MedtronicGlucoseRecord
{
    public override MedtronicGlucoseRecordType Type => MedtronicGlucoseRecordType.CalibrationBg;

    public int MgDl => ((Timestamp.DayHighBits & 1) << 8) | LowByte;
}

/// <summary>0x0F SensorCalFactor: the new calibration factor, u16 (high byte first in reading order) / 1000.</summary>
public sealed record MedtronicSensorCalibrationFactor(MedtronicGlucoseTimestamp Timestamp, ushort FactorThousandths) : MedtronicGlucoseRecord
{
    public override MedtronicGlucoseRecordType Type => MedtronicGlucoseRecordType.SensorCalibrationFactor;

    public decimal Factor => FactorThousandths / 1000m;
}

/// <summary>A glucose-page record and its time: its own timestamp, or its 5-minute slot counted from a SensorTimestamp.</summary>
public sealed record MedtronicGlucoseEntry(MedtronicGlucoseRecord Record, DateTime? Time);

/// <summary>A decoded glucose page: its records in page order (oldest first) with their times.</summary>
public sealed record MedtronicGlucosePage(IReadOnlyList<MedtronicGlucoseEntry> Entries)
{
    public bool Equals(MedtronicGlucosePage? other) => other is not null && Entries.SequenceEqual(other.Entries);

    public override int GetHashCode() => Entries.Count;
}
