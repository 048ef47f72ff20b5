using System.Globalization;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands;

/// <summary>How the CLI shows an event on one line.</summary>
internal static class EventText
{
    public static string Detail(Proto.TelemetryEvent e) => e.DetailCase switch
    {
        Proto.TelemetryEvent.DetailOneofCase.Glucose => Glucose(e.Glucose),
        Proto.TelemetryEvent.DetailOneofCase.SensorRaw => $"raw unfiltered {e.SensorRaw.Unfiltered} filtered {e.SensorRaw.Filtered}" + (e.SensorRaw.HasRssi ? $" rssi {e.SensorRaw.Rssi}" : ""),
        Proto.TelemetryEvent.DetailOneofCase.SensorSession => $"sensor session {e.SensorSession.State}",
        Proto.TelemetryEvent.DetailOneofCase.UserEntry => $"{e.UserEntry.Type} {e.UserEntry.Subtype} {e.UserEntry.Value}".TrimEnd(),
        Proto.TelemetryEvent.DetailOneofCase.ScheduledBasal => $"basal {e.ScheduledBasal.UnitsPerHour} U/h {e.ScheduledBasal.Profile}".TrimEnd(),
        Proto.TelemetryEvent.DetailOneofCase.TemporaryBasal => $"temp basal {e.TemporaryBasal.Phase} " + (e.TemporaryBasal.RateCase == Proto.TemporaryBasal.RateOneofCase.Percent ? $"{e.TemporaryBasal.Percent}%" : $"{e.TemporaryBasal.UnitsPerHour} U/h") + $" for {e.TemporaryBasal.ProgrammedDuration?.ToTimeSpan()}",
        Proto.TelemetryEvent.DetailOneofCase.DeliveryState => (e.DeliveryState.Suspended ? "delivery suspended " : "delivery resumed ") + e.DeliveryState.Reason,
        Proto.TelemetryEvent.DetailOneofCase.Bolus => $"bolus {e.Bolus.Type} {e.Bolus.DeliveredUnits}/{e.Bolus.ProgrammedUnits} U" + (e.Bolus.Cancelled ? " cancelled" : ""),
        Proto.TelemetryEvent.DetailOneofCase.Alarm => $"alarm {e.Alarm.Kind} {e.Alarm.Transition} ({e.Alarm.VendorCode} {e.Alarm.VendorText})",
        Proto.TelemetryEvent.DetailOneofCase.PumpMaintenance => $"pump {e.PumpMaintenance.Action} {e.PumpMaintenance.Units}".TrimEnd() + (e.PumpMaintenance.ClockAfter.Length > 0 ? $" {e.PumpMaintenance.ClockBefore} -> {e.PumpMaintenance.ClockAfter}" : ""),
        Proto.TelemetryEvent.DetailOneofCase.DailyInsulinTotal => $"daily total {e.DailyInsulinTotal.Day}: {e.DailyInsulinTotal.TotalUnits} U (basal {e.DailyInsulinTotal.BasalUnits}, bolus {e.DailyInsulinTotal.BolusUnits})",
        Proto.TelemetryEvent.DetailOneofCase.LinkReport => $"link {e.LinkReport.Endpoint}: {e.LinkReport.Retries} retries, {e.LinkReport.CrcErrors} CRC errors, {e.LinkReport.Timeouts} timeouts" + (e.LinkReport.HasSignalStrength ? $", signal {e.LinkReport.SignalStrength}" : "") + $" ({e.LinkReport.EndReason})",
        Proto.TelemetryEvent.DetailOneofCase.DeviceStatus => Status(e.DeviceStatus),
        _ => e.Kind.ToString(),
    };

    public static string Line(Proto.TelemetryEvent e) =>
        string.Create(CultureInfo.InvariantCulture, $"#{e.Sequence,-7} {e.UtcTime.ToDateTimeOffset():yyyy-MM-dd HH:mm:ss}Z  {e.DeviceId}  {Detail(e)}");

    private static string Glucose(Proto.GlucoseReading g)
    {
        var value = g.HasMgDl ? string.Create(CultureInfo.InvariantCulture, $"{g.MgDl} mg/dL ({g.MmolL} mmol/L)") : g.Condition;
        var limit = g.RangeLimit switch
        {
            Proto.GlucoseReading.Types.RangeLimit.BelowRange => " LOW",
            Proto.GlucoseReading.Types.RangeLimit.AboveRange => " HIGH",
            _ => "",
        };
        var trend = g.Trend == Proto.GlucoseReading.Types.Trend.Unspecified ? "" : g.Trend.ToString();
        return $"{g.Source} glucose {value}{limit} {trend}".TrimEnd();
    }

    /// <summary>What the device reported of its battery (a percentage, or volts and a state) and its reservoir.</summary>
    private static string Status(Proto.DeviceStatus s)
    {
        var battery = new List<string>();
        if (s.HasBatteryPercent)
        {
            battery.Add(string.Create(CultureInfo.InvariantCulture, $"{s.BatteryPercent}%"));
        }

        if (s.HasBatteryVolts)
        {
            battery.Add(string.Create(CultureInfo.InvariantCulture, $"{s.BatteryVolts:0.00} V"));
        }

        if (s.BatteryState.Length > 0)
        {
            battery.Add(s.BatteryState);
        }

        return $"status battery {(battery.Count > 0 ? string.Join(", ", battery) : "?")}" + (s.ReservoirUnits.Length > 0 ? $" reservoir {s.ReservoirUnits} U" : "");
    }
}
