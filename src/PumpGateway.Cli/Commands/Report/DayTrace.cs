using System.Globalization;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands.Report;

/// <summary>A point of a day's panel: hours since the clinic's midnight, and a value.</summary>
internal readonly record struct TracePoint(double Hour, double Value);

/// <summary>A bolus on a day's panel: when, and the units delivered (programmed, when the pump did not say).</summary>
internal readonly record struct BolusMark(double Hour, string Units);

/// <summary>An alarm raised on a day's panel.</summary>
internal readonly record struct AlarmMark(double Hour, Proto.Alarm.Types.Kind Kind, Proto.Alarm.Types.Severity Severity);

/// <summary>
/// One clinic-local day of a device's events, in hours since that day's midnight: the sensor
/// glucose in runs without gaps, meter readings, boluses, the delivered basal as steps, and alarms.
/// </summary>
internal sealed record DayTrace(
    DateOnly Day,
    double Hours,
    IReadOnlyList<IReadOnlyList<TracePoint>> SensorRuns,
    IReadOnlyList<TracePoint> MeterReadings,
    IReadOnlyList<BolusMark> Boluses,
    IReadOnlyList<IReadOnlyList<TracePoint>> BasalRuns,
    IReadOnlyList<AlarmMark> Alarms)
{
    /// <summary>The kinds of event the daily traces are drawn from.</summary>
    public static readonly IReadOnlyList<Proto.TelemetryKind> Kinds =
    [
        Proto.TelemetryKind.Glucose,
        Proto.TelemetryKind.Bolus,
        Proto.TelemetryKind.ScheduledBasal,
        Proto.TelemetryKind.TemporaryBasal,
        Proto.TelemetryKind.DeliveryState,
        Proto.TelemetryKind.Alarm,
    ];

    /// <summary>At most this many days are drawn: the last ones of the period.</summary>
    public const int MaxDays = 14;

    /// <summary>The clinic-local days the report draws: the last <see cref="MaxDays"/> that the period touches.</summary>
    public static IReadOnlyList<DateOnly> DaysToDraw(Proto.Summary summary, ClinicClock clock)
    {
        if (summary.From is null || summary.To is null)
        {
            return [];
        }

        var days = clock.DaysOf(summary.From.ToDateTimeOffset(), summary.To.ToDateTimeOffset());
        return days.Skip(Math.Max(0, days.Count - MaxDays)).ToList();
    }

    /// <summary>
    /// The events to ask for: those of the days drawn, and the day before them, whose basal
    /// events set the rate in force when the first one starts. Null when there is no day to draw.
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To)? EventWindow(Proto.Summary summary, ClinicClock clock)
    {
        var days = DaysToDraw(summary, clock);
        if (days.Count == 0)
        {
            return null;
        }

        var firstDrawn = clock.StartOf(days[0]);
        var from = summary.From.ToDateTimeOffset();
        return ((firstDrawn > from ? firstDrawn : from) - TimeSpan.FromDays(1), summary.To.ToDateTimeOffset());
    }

    /// <summary>
    /// The traces of the days to draw. Events before the period still set the basal rate in force
    /// when it starts; nothing is drawn outside the period.
    /// </summary>
    public static IReadOnlyList<DayTrace> Build(Proto.Summary summary, IReadOnlyList<Proto.TelemetryEvent> events, ClinicClock clock)
    {
        var days = DaysToDraw(summary, clock);
        if (days.Count == 0)
        {
            return [];
        }

        var (periodFrom, periodTo) = (summary.From.ToDateTimeOffset(), summary.To.ToDateTimeOffset());
        var timed = events.Where(e => e.UtcTime is not null).OrderBy(e => e.UtcTime.ToDateTimeOffset()).ThenBy(e => e.Sequence).ToList();
        var basal = BasalTimeline.Build(timed);
        var gap = GapBetweenRuns(summary);
        var traces = new List<DayTrace>(days.Count);
        foreach (var day in days)
        {
            var start = clock.StartOf(day);
            var end = clock.StartOf(day.AddDays(1));
            var (from, to) = (Max(start, periodFrom), Min(end, periodTo));
            double HourOf(DateTimeOffset t) => (t - start).TotalHours;

            var inDay = timed.Where(e => e.UtcTime.ToDateTimeOffset() is var t && t >= from && t < to).ToList();
            var sensor = new List<(DateTimeOffset Time, double MgDl)>();
            var meter = new List<TracePoint>();
            var boluses = new List<BolusMark>();
            var alarms = new List<AlarmMark>();
            foreach (var e in inDay)
            {
                var time = e.UtcTime.ToDateTimeOffset();
                switch (e.DetailCase)
                {
                    case Proto.TelemetryEvent.DetailOneofCase.Glucose when e.Glucose.HasMgDl:
                        if (e.Glucose.Source == Proto.GlucoseReading.Types.Source.Meter)
                        {
                            meter.Add(new TracePoint(HourOf(time), e.Glucose.MgDl));
                        }
                        else if (e.Glucose.Source != Proto.GlucoseReading.Types.Source.Calibration)
                        {
                            sensor.Add((time, e.Glucose.MgDl));
                        }

                        break;
                    case Proto.TelemetryEvent.DetailOneofCase.Bolus when BolusUnits(e.Bolus) is { } units:
                        boluses.Add(new BolusMark(HourOf(time), units));
                        break;
                    case Proto.TelemetryEvent.DetailOneofCase.Alarm when e.Alarm.Transition == Proto.Alarm.Types.Transition.Raised:
                        alarms.Add(new AlarmMark(HourOf(time), e.Alarm.Kind, e.Alarm.Severity));
                        break;
                    default:
                        break;
                }
            }

            traces.Add(new DayTrace(
                day,
                (end - start).TotalHours,
                SplitSensorRuns(sensor, gap, HourOf),
                meter,
                boluses,
                SplitBasalRuns(basal, from, to, HourOf),
                alarms));
        }

        return traces;
    }

    /// <summary>Readings further apart than this are not joined by a line: three missed readings, and at least 15 minutes.</summary>
    private static TimeSpan GapBetweenRuns(Proto.Summary summary)
    {
        var interval = summary.Glucose?.ReadingInterval?.ToTimeSpan() is { } i && i > TimeSpan.Zero ? i : TimeSpan.FromMinutes(5);
        return TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(15).Ticks, interval.Ticks * 3));
    }

    private static List<IReadOnlyList<TracePoint>> SplitSensorRuns(List<(DateTimeOffset Time, double MgDl)> readings, TimeSpan gap, Func<DateTimeOffset, double> hourOf)
    {
        var runs = new List<IReadOnlyList<TracePoint>>();
        var run = new List<TracePoint>();
        DateTimeOffset? previous = null;
        foreach (var (time, mgDl) in readings)
        {
            if (previous is { } p && time - p > gap && run.Count > 0)
            {
                runs.Add(run);
                run = [];
            }

            run.Add(new TracePoint(hourOf(time), mgDl));
            previous = time;
        }

        if (run.Count > 0)
        {
            runs.Add(run);
        }

        return runs;
    }

    /// <summary>The steps of [from, to) as runs of known rate: each point starts a step, the last closes the run.</summary>
    private static List<IReadOnlyList<TracePoint>> SplitBasalRuns(IReadOnlyList<BasalStep> steps, DateTimeOffset from, DateTimeOffset to, Func<DateTimeOffset, double> hourOf)
    {
        var runs = new List<IReadOnlyList<TracePoint>>();
        if (to <= from)
        {
            return runs;
        }

        var inDay = new List<BasalStep> { new(from, BasalTimeline.RateAt(steps, from)) };
        inDay.AddRange(steps.Where(s => s.From > from && s.From < to));
        inDay.Add(new BasalStep(to, null));

        var run = new List<TracePoint>();
        for (var i = 0; i < inDay.Count - 1; i++)
        {
            if (inDay[i].UnitsPerHour is { } rate)
            {
                run.Add(new TracePoint(hourOf(inDay[i].From), rate));
                if (inDay[i + 1].UnitsPerHour is null)
                {
                    run.Add(new TracePoint(hourOf(inDay[i + 1].From), rate));
                    runs.Add(run);
                    run = [];
                }
            }
        }

        return runs;
    }

    private static string? BolusUnits(Proto.Bolus bolus)
    {
        var now = Decimal(bolus.DeliveredUnits.Length > 0 ? bolus.DeliveredUnits : bolus.ProgrammedUnits);
        var extended = Decimal(bolus.DeliveredExtendedUnits.Length > 0 ? bolus.DeliveredExtendedUnits : bolus.ProgrammedExtendedUnits);
        if (now is null && extended is null)
        {
            return null;
        }

        var total = (now ?? 0) + (extended ?? 0);
        return total.ToString("0.##", CultureInfo.InvariantCulture);
    }

    private static decimal? Decimal(string text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
