using System.Globalization;
using PumpGateway.Telemetry;

namespace PumpGateway.Devices.Dexcom;

/// <summary>
/// Receiver records to telemetry. A record's identity is its type and system time (the notes:
/// display time changes when the wearer sets the clock, system time does not); its UTC time is
/// the system time corrected by the clock offset measured at dock.
/// </summary>
internal sealed class DexcomTelemetryMapper
{
    /// <summary>The sensor's measurable range: values outside are its LOW (20-39) and HIGH (above 400) edges.</summary>
    private const int LowestReading = 40;
    private const int HighestReading = 400;

    private readonly TimeSpan _clockOffset;

    /// <param name="clockOffset">Receiver system clock minus gateway UTC clock, measured at dock.</param>
    public DexcomTelemetryMapper(DeviceId device, TimeSpan clockOffset)
    {
        Device = device;
        _clockOffset = clockOffset;
    }

    public DeviceId Device { get; }

    /// <summary>The telemetry for one record, or null for a record that carries none (e.g. manufacturing data).</summary>
    public TelemetryEvent? Map(string stream, DexcomRecord record) => record switch
    {
        EgvRecord egv => new GlucoseReading
        {
            Id = IdOf(stream, egv),
            Device = Device,
            DeviceTime = TimeOf(egv),
            Utc = UtcOf(egv.SystemSeconds),
            TimeBasis = TimeBasis.DockClockOffset,
            Source = GlucoseSource.Sensor,
            MgDl = egv.IsSpecialValue ? null : egv.GlucoseMgDl,
            Condition = egv.IsSpecialValue ? egv.SpecialValue.ToString() : null,
            RangeLimit = egv.IsSpecialValue ? GlucoseRangeLimit.None
                : egv.GlucoseMgDl < LowestReading ? GlucoseRangeLimit.BelowRange
                : egv.GlucoseMgDl > HighestReading ? GlucoseRangeLimit.AboveRange
                : GlucoseRangeLimit.None,
            Trend = (GlucoseTrend)(int)egv.Trend,
            Noise = egv.Noise.ToString(),
            DisplayOnly = egv.DisplayOnly,
            Backfilled = egv.Backfilled,
        },
        MeterRecord meter => new GlucoseReading
        {
            Id = IdOf(stream, meter),
            Device = Device,
            DeviceTime = TimeOf(meter),
            Utc = UtcOf(meter.SystemSeconds),
            TimeBasis = TimeBasis.DockClockOffset,
            Source = GlucoseSource.Calibration,
            MgDl = meter.MeterGlucoseMgDl,
        },
        SensorRecord sensor => new SensorRawReading
        {
            Id = IdOf(stream, sensor),
            Device = Device,
            DeviceTime = TimeOf(sensor),
            Utc = UtcOf(sensor.SystemSeconds),
            TimeBasis = TimeBasis.DockClockOffset,
            Unfiltered = sensor.Unfiltered,
            Filtered = sensor.Filtered,
            Rssi = sensor.Rssi,
        },
        InsertionTimeRecord insertion => new SensorSession
        {
            Id = IdOf(stream, insertion),
            Device = Device,
            DeviceTime = TimeOf(insertion),
            Utc = UtcOf(insertion.SystemSeconds),
            TimeBasis = TimeBasis.DockClockOffset,
            State = insertion.SessionState.ToString(),
            InsertionUtc = UtcOf(insertion.InsertionSystemSeconds),
        },
        UserEventRecord user => new UserEntry
        {
            Id = IdOf(stream, user),
            Device = Device,
            DeviceTime = TimeOf(user),
            Utc = UtcOf(user.SystemSeconds),
            TimeBasis = TimeBasis.DockClockOffset,
            EntryType = (UserEntryType)(int)user.EventType,
            Subtype = user.SubtypeName,
            Value = user.Value,
        },
        _ => null,
    };

    private EventId IdOf(string stream, DexcomRecord record) =>
        EventId.For(Device, stream, record.SystemSeconds.ToString(CultureInfo.InvariantCulture));

    private static DeviceTimestamp TimeOf(DexcomRecord record) => new(record.DisplayTime, record.SystemSeconds);

    private DateTimeOffset UtcOf(uint systemSeconds) =>
        new(DateTime.SpecifyKind(DexcomTime.ToDateTime(systemSeconds) - _clockOffset, DateTimeKind.Utc));
}
