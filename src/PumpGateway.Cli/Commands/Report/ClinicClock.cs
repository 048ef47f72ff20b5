using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands.Report;

/// <summary>
/// The clinic's local time, in which a summary's days and times of day are counted. A summary
/// without a zone, or with one this machine does not know, is read in UTC, and says so.
/// </summary>
internal sealed class ClinicClock
{
    private ClinicClock(TimeZoneInfo zone, string name)
    {
        Zone = zone;
        Name = name;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The zone as the report prints it.</summary>
    public string Name { get; }

    public static ClinicClock Of(Proto.Summary summary) => Of(summary.ClinicTimeZone);

    public static ClinicClock Of(string ianaId)
    {
        if (ianaId.Length == 0)
        {
            return new ClinicClock(TimeZoneInfo.Utc, "UTC");
        }

        try
        {
            return new ClinicClock(TimeZoneInfo.FindSystemTimeZoneById(ianaId), ianaId);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return new ClinicClock(TimeZoneInfo.Utc, $"UTC ({ianaId} unknown here)");
        }
    }

    public DateTime Local(DateTimeOffset time) => TimeZoneInfo.ConvertTime(time, Zone).DateTime;

    public DateTime Local(Timestamp time) => Local(time.ToDateTimeOffset());

    public DateOnly Day(DateTimeOffset time) => DateOnly.FromDateTime(Local(time));

    /// <summary>The instant the clinic's day starts (for a day that starts in a DST gap, the first valid instant).</summary>
    public DateTimeOffset StartOf(DateOnly day) => At(day, TimeOnly.MinValue);

    /// <summary>The instant a local day's wall-clock time falls on; a time in a DST gap moves on to the first valid one.</summary>
    public DateTimeOffset At(DateOnly day, TimeOnly time)
    {
        var wallClock = day.ToDateTime(time, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(wallClock))
        {
            wallClock = wallClock.AddMinutes(15);
        }

        return new DateTimeOffset(wallClock, Zone.GetUtcOffset(wallClock));
    }

    /// <summary>The local days that [from, to) touches, oldest first.</summary>
    public IReadOnlyList<DateOnly> DaysOf(DateTimeOffset from, DateTimeOffset to)
    {
        var days = new List<DateOnly>();
        if (to <= from)
        {
            return days;
        }

        var last = Day(to - TimeSpan.FromTicks(1));
        for (var day = Day(from); day <= last; day = day.AddDays(1))
        {
            days.Add(day);
        }

        return days;
    }

    public string Format(Timestamp? time) => time is null ? "–" : Local(time).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A span in local time; the end drops its date when it is the same day.</summary>
    public string FormatSpan(Timestamp? from, Timestamp? to)
    {
        if (from is null)
        {
            return to is null ? "" : "until " + Format(to);
        }

        if (to is null)
        {
            return "from " + Format(from);
        }

        var (start, end) = (Local(from), Local(to));
        var endText = end.Date == start.Date ? end.ToString("HH:mm", CultureInfo.InvariantCulture) : end.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return $"{start.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} – {endText}";
    }
}
