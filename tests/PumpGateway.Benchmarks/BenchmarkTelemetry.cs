using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Benchmarks;

/// <summary>Deterministic telemetry of one wearer for the read-side and store benchmarks: readings every 5 minutes and a pump's day.</summary>
internal static class BenchmarkTelemetry
{
    public static readonly DateTimeOffset Start = new(2026, 8, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DeviceId Pump = new("ids-benchmark");

    /// <summary>Sensor readings every 5 minutes with a daily swing, and per day: the hourly basal, three boluses, a temporary basal, a set change every third day, a status.</summary>
    public static List<TelemetryEvent> Days(int days, int firstId = 0)
    {
        var events = new List<TelemetryEvent>();
        var id = firstId;
        T At<T>(T e, DateTimeOffset utc)
            where T : TelemetryEvent => e with
            {
                Id = EventId.For(Pump, "b", (id++).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Device = Pump,
                DeviceTime = DeviceTimestamp.FromClock(utc.UtcDateTime),
                Utc = utc,
                TimeBasis = TimeBasis.DeviceUtc,
            };

        for (var i = 0; i < days * 288; i++)
        {
            var utc = Start.AddMinutes(5 * i);
            events.Add(At(new GlucoseReading { Source = GlucoseSource.Sensor, MgDl = 140 + (70 * Math.Sin(i * Math.PI / 144)) + ((i * 37) % 23) }, utc));
        }

        for (var day = 0; day < days; day++)
        {
            var midnight = Start.AddDays(day);
            for (var hour = 0; hour < 24; hour += 3)
            {
                events.Add(At(new ScheduledBasal { UnitsPerHour = 0.6m + (hour % 6 * 0.1m) }, midnight.AddHours(hour)));
            }

            foreach (var (hour, units) in new[] { (7.5, 5.5m), (12.5, 7m), (19, 6.5m) })
            {
                events.Add(At(new Bolus { BolusType = BolusType.Normal, ProgrammedUnits = units, DeliveredUnits = units }, midnight.AddHours(hour)));
            }

            events.Add(At(new TemporaryBasal { Phase = TemporaryBasalPhase.Started, Percent = 50, ProgrammedDuration = TimeSpan.FromHours(1) }, midnight.AddHours(17)));
            if (day % 3 == 0)
            {
                events.Add(At(new PumpMaintenance { Action = PumpMaintenanceAction.Rewind }, midnight.AddHours(9)));
                events.Add(At(new PumpMaintenance { Action = PumpMaintenanceAction.CannulaPrimed }, midnight.AddHours(9).AddMinutes(5)));
            }

            events.Add(At(new DeviceStatus { BatteryPercent = 100 - (day % 20 * 4), ReservoirUnits = 200 - (day % 3 * 60) }, midnight.AddHours(23)));
        }

        return events;
    }
}
