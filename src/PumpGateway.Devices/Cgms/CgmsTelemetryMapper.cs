using System.Globalization;
using PumpGateway.Codecs;
using PumpGateway.Telemetry;

namespace PumpGateway.Devices.Cgms;

/// <summary>
/// Which sensor session readings belong to and where it sits in time. A reading's identity is the
/// session plus its time offset (minutes since the session started), so a record read twice, live
/// and again from the sensor's store, is one event.
/// </summary>
/// <param name="Key">The session start in whole minutes since the Unix epoch, UTC: the session's identity.</param>
/// <param name="StartUtc">When the session started.</param>
/// <param name="StartLocal">The same instant on the sensor's own clock (its time zone and DST).</param>
/// <param name="Basis">Device UTC when the sensor knows its start time and zone; else measured against the gateway clock at connection.</param>
internal sealed record CgmsSessionTime(long Key, DateTimeOffset StartUtc, DateTime StartLocal, TimeBasis Basis)
{
    public static CgmsSessionTime From(DateTimeOffset startUtc, DateTime startLocal, TimeBasis basis) =>
        new(startUtc.ToUnixTimeSeconds() / 60, startUtc, DateTime.SpecifyKind(startLocal, DateTimeKind.Unspecified), basis);

    public DateTimeOffset UtcAt(ushort timeOffsetMinutes) => StartUtc.AddMinutes(timeOffsetMinutes);
}

/// <summary>
/// CGM measurements to telemetry: glucose readings, and the sensor status annunciation bits as
/// alarms that are raised when a bit appears and cleared when it goes. The bits seen last are the
/// state, so feed it records in time order; the first record of a re-download (the cursor's own)
/// only sets that state.
/// </summary>
internal sealed class CgmsTelemetryMapper
{
    private readonly DeviceId _device;
    private readonly CgmsSessionTime _session;
    private uint _activeBits;
    private bool _baselineKnown;

    public CgmsTelemetryMapper(DeviceId device, CgmsSessionTime session)
    {
        _device = device;
        _session = session;
    }

    /// <summary>Before records are fed again from an earlier point: the state is not known until the first of them.</summary>
    public void Rewind() => _baselineKnown = false;

    /// <summary>Makes <paramref name="baseline"/> the state without events: it was mapped in an earlier session.</summary>
    public void SetBaseline(CgmMeasurement baseline)
    {
        _activeBits = BitsOf(baseline);
        _baselineKnown = true;
    }

    public IEnumerable<TelemetryEvent> Map(CgmMeasurement measurement)
    {
        var utc = _session.UtcAt(measurement.TimeOffsetMinutes);
        var deviceTime = new DeviceTimestamp(_session.StartLocal.AddMinutes(measurement.TimeOffsetMinutes), measurement.TimeOffsetMinutes);
        var offset = measurement.TimeOffsetMinutes.ToString(CultureInfo.InvariantCulture);
        var warning = measurement.Warning ?? CgmWarningAnnunciation.None;
        var value = measurement.GlucoseMgDl.ToDecimal();
        yield return new GlucoseReading
        {
            Id = EventId.For(_device, "cgm", $"{_session.Key}/{offset}"),
            Device = _device,
            DeviceTime = deviceTime,
            Utc = utc,
            TimeBasis = _session.Basis,
            Source = GlucoseSource.Sensor,
            MgDl = value is { } mgDl ? (double)mgDl : null,
            Condition = value is null ? measurement.GlucoseMgDl.Special.ToString() : null,
            RangeLimit = warning.HasFlag(CgmWarningAnnunciation.ResultLowerThanDeviceCanProcess) ? GlucoseRangeLimit.BelowRange
                : warning.HasFlag(CgmWarningAnnunciation.ResultHigherThanDeviceCanProcess) ? GlucoseRangeLimit.AboveRange
                : GlucoseRangeLimit.None,
            RateMgDlPerMin = measurement.TrendMgDlPerMinute is { IsFinite: true } trend ? trend.ToDouble() : null,
            Trend = measurement.TrendMgDlPerMinute is { IsFinite: true } rate ? TrendOf(rate.ToDouble()) : GlucoseTrend.Unknown,
            Noise = measurement.QualityPercent is { IsFinite: true } quality ? $"quality {quality} %" : null,
        };

        var bits = BitsOf(measurement);
        var changed = _baselineKnown ? bits ^ _activeBits : bits;
        _activeBits = bits;
        _baselineKnown = true;
        foreach (var annunciation in Annunciations.Where(a => (changed & a.Bit) != 0))
        {
            var raised = (bits & annunciation.Bit) != 0;
            yield return new Alarm
            {
                Id = EventId.For(_device, "cgm-annunciation", $"{_session.Key}/{offset}/{annunciation.Code}"),
                Device = _device,
                DeviceTime = deviceTime,
                Utc = utc,
                TimeBasis = _session.Basis,
                AlarmKind = annunciation.Kind,
                Severity = annunciation.Severity,
                Transition = raised ? AlarmTransition.Raised : AlarmTransition.Cleared,
                VendorCode = annunciation.Code,
                VendorText = annunciation.Text,
                InstanceKey = $"{_session.Key}/{annunciation.Code}",
            };
        }
    }

    /// <summary>A calibration the sensor stored: the fingerstick value it was given.</summary>
    public GlucoseReading MapCalibration(CgmCalibrationValueResponse calibration) => new()
    {
        Id = EventId.For(_device, "cgm-calibration", $"{_session.Key}/{calibration.RecordNumber.ToString(CultureInfo.InvariantCulture)}"),
        Device = _device,
        DeviceTime = new DeviceTimestamp(_session.StartLocal.AddMinutes(calibration.CalibrationTimeMinutes), calibration.CalibrationTimeMinutes),
        Utc = _session.UtcAt(calibration.CalibrationTimeMinutes),
        TimeBasis = _session.Basis,
        Source = GlucoseSource.Calibration,
        MgDl = calibration.GlucoseMgDl.ToDecimal() is { } mgDl ? (double)mgDl : null,
        Condition = calibration.Status == CgmCalibrationStatus.None ? null : calibration.Status.ToString(),
    };

    /// <summary>The usual CGM arrows: flat within ±1 mg/dL/min, one arrow per further mg/dL/min, two beyond 3.</summary>
    private static GlucoseTrend TrendOf(double rate) => rate switch
    {
        > 3 => GlucoseTrend.DoubleUp,
        > 2 => GlucoseTrend.SingleUp,
        > 1 => GlucoseTrend.FortyFiveUp,
        >= -1 => GlucoseTrend.Flat,
        >= -2 => GlucoseTrend.FortyFiveDown,
        >= -3 => GlucoseTrend.SingleDown,
        _ => GlucoseTrend.DoubleDown,
    };

    /// <summary>The three annunciation octets as one word: status, cal/temp << 8, warning << 16.</summary>
    private static uint BitsOf(CgmMeasurement measurement) =>
        (uint)(measurement.Status ?? CgmStatusAnnunciation.None)
        | ((uint)(measurement.CalTemp ?? CgmCalTempAnnunciation.None) << 8)
        | ((uint)(measurement.Warning ?? CgmWarningAnnunciation.None) << 16);

    private sealed record Annunciation(uint Bit, string Code, string Text, AlarmKind Kind, AlarmSeverity Severity);

    private static readonly Annunciation[] Annunciations =
    [
        Status(CgmStatusAnnunciation.SessionStopped, "session stopped", AlarmKind.SensorIssue, AlarmSeverity.Info),
        Status(CgmStatusAnnunciation.DeviceBatteryLow, "device battery low", AlarmKind.BatteryLow, AlarmSeverity.Warning),
        Status(CgmStatusAnnunciation.SensorTypeIncorrectForDevice, "sensor type incorrect for device", AlarmKind.SensorIssue, AlarmSeverity.Alarm),
        Status(CgmStatusAnnunciation.SensorMalfunction, "sensor malfunction", AlarmKind.SensorIssue, AlarmSeverity.Alarm),
        Status(CgmStatusAnnunciation.DeviceSpecificAlert, "device specific alert", AlarmKind.Other, AlarmSeverity.Warning),
        Status(CgmStatusAnnunciation.GeneralDeviceFault, "general device fault", AlarmKind.SensorIssue, AlarmSeverity.Critical),
        CalTemp(CgmCalTempAnnunciation.TimeSynchronizationRequired, "time synchronization between sensor and collector required", AlarmKind.Other, AlarmSeverity.Info),
        CalTemp(CgmCalTempAnnunciation.CalibrationNotAllowed, "calibration not allowed", AlarmKind.SensorIssue, AlarmSeverity.Info),
        CalTemp(CgmCalTempAnnunciation.CalibrationRecommended, "calibration recommended", AlarmKind.SensorIssue, AlarmSeverity.Info),
        CalTemp(CgmCalTempAnnunciation.CalibrationRequired, "calibration required", AlarmKind.SensorIssue, AlarmSeverity.Warning),
        CalTemp(CgmCalTempAnnunciation.SensorTemperatureTooHigh, "sensor temperature too high for a valid result", AlarmKind.Temperature, AlarmSeverity.Warning),
        CalTemp(CgmCalTempAnnunciation.SensorTemperatureTooLow, "sensor temperature too low for a valid result", AlarmKind.Temperature, AlarmSeverity.Warning),
        CalTemp(CgmCalTempAnnunciation.CalibrationProcessPending, "calibration process pending", AlarmKind.SensorIssue, AlarmSeverity.Info),
        Warning(CgmWarningAnnunciation.ResultLowerThanPatientLowLevel, "result lower than the patient low level", AlarmKind.GlucoseLow, AlarmSeverity.Warning),
        Warning(CgmWarningAnnunciation.ResultHigherThanPatientHighLevel, "result higher than the patient high level", AlarmKind.GlucoseHigh, AlarmSeverity.Warning),
        Warning(CgmWarningAnnunciation.ResultLowerThanHypoLevel, "result lower than the hypo level", AlarmKind.GlucoseLow, AlarmSeverity.Alarm),
        Warning(CgmWarningAnnunciation.ResultHigherThanHyperLevel, "result higher than the hyper level", AlarmKind.GlucoseHigh, AlarmSeverity.Alarm),
        Warning(CgmWarningAnnunciation.RateOfDecreaseExceeded, "rate of decrease exceeded", AlarmKind.GlucoseRateOfChange, AlarmSeverity.Warning),
        Warning(CgmWarningAnnunciation.RateOfIncreaseExceeded, "rate of increase exceeded", AlarmKind.GlucoseRateOfChange, AlarmSeverity.Warning),
        Warning(CgmWarningAnnunciation.ResultLowerThanDeviceCanProcess, "result lower than the device can process", AlarmKind.GlucoseLow, AlarmSeverity.Alarm),
        Warning(CgmWarningAnnunciation.ResultHigherThanDeviceCanProcess, "result higher than the device can process", AlarmKind.GlucoseHigh, AlarmSeverity.Alarm),
    ];

    private static Annunciation Status(CgmStatusAnnunciation bit, string text, AlarmKind kind, AlarmSeverity severity) =>
        new((uint)bit, "cgms:status:" + bit, text, kind, severity);

    private static Annunciation CalTemp(CgmCalTempAnnunciation bit, string text, AlarmKind kind, AlarmSeverity severity) =>
        new((uint)bit << 8, "cgms:cal-temp:" + bit, text, kind, severity);

    private static Annunciation Warning(CgmWarningAnnunciation bit, string text, AlarmKind kind, AlarmSeverity severity) =>
        new((uint)bit << 16, "cgms:warning:" + bit, text, kind, severity);
}
