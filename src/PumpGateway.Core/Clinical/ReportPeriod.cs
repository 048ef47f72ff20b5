namespace PumpGateway.Clinical;

/// <summary>
/// The period a report covers, <c>[FromUtc, ToUtc)</c>, and the clinic's time zone: the zone decides
/// which calendar day a reading belongs to and where it falls on the clock, so that a reading at
/// 23:30 in Paris is counted on the day the wearer lived it.
/// </summary>
/// <remarks>
/// The properties are get-only on purpose: a <c>with</c> expression cannot build a period that
/// skipped the constructor's checks.
/// </remarks>
public sealed record ReportPeriod(DateTimeOffset FromUtc, DateTimeOffset ToUtc, TimeZoneInfo ClinicZone)
{
    public DateTimeOffset FromUtc { get; } = FromUtc < ToUtc
        ? FromUtc.ToUniversalTime()
        : throw new ArgumentException($"A report period must start before it ends ({FromUtc:O} is not before {ToUtc:O}).", nameof(FromUtc));

    public DateTimeOffset ToUtc { get; } = ToUtc.ToUniversalTime();

    public TimeZoneInfo ClinicZone { get; } = ClinicZone ?? throw new ArgumentNullException(nameof(ClinicZone));

    /// <summary>Elapsed time, not calendar time: a period over a spring-forward night is an hour short of its days.</summary>
    public TimeSpan Length => ToUtc - FromUtc;

    public bool Contains(DateTimeOffset utc) => utc >= FromUtc && utc < ToUtc;

    /// <summary>The clinic-local calendar day an instant falls on.</summary>
    public DateOnly LocalDay(DateTimeOffset utc) => ClinicTime.LocalDay(utc, ClinicZone);

    /// <summary>The instants a clinic-local day runs over, <c>[StartUtc, EndUtc)</c>: 23 h, 24 h or 25 h.</summary>
    public (DateTimeOffset StartUtc, DateTimeOffset EndUtc) DayBounds(DateOnly day) =>
        (ClinicTime.StartOfDay(day, ClinicZone), ClinicTime.StartOfDay(day.AddDays(1), ClinicZone));

    /// <summary>The clinic-local days that lie wholly inside the period, in order.</summary>
    public IReadOnlyList<DateOnly> WholeDays()
    {
        var days = new List<DateOnly>();
        for (var day = LocalDay(FromUtc); ; day = day.AddDays(1))
        {
            var (start, end) = DayBounds(day);
            if (end > ToUtc)
            {
                return days;
            }

            if (start >= FromUtc && end > start)
            {
                days.Add(day);
            }
        }
    }

    /// <summary>
    /// Whether the period is long enough for a report to stand (international consensus: 14 days).
    /// Fourteen whole clinic-local days count as 14 days even when a spring-forward night makes them
    /// an hour short of 14 × 24 h: the clinic asks for two weeks on the calendar.
    /// </summary>
    public bool SpansAtLeastDays(int days) =>
        Length >= TimeSpan.FromDays(days) || WholeDays().Count >= days;
}

/// <summary>Clinic-local calendar arithmetic that survives daylight-saving changes.</summary>
internal static class ClinicTime
{
    public static DateOnly LocalDay(DateTimeOffset utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, zone).DateTime);

    public static TimeSpan LocalTimeOfDay(DateTimeOffset utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(utc, zone).TimeOfDay;

    /// <summary>
    /// The first instant of a local day. Where midnight repeats (clocks back at 01:00 to 00:00) the
    /// day starts at its first midnight; where midnight does not exist (clocks forward at 00:00, as
    /// in America/Santiago) it starts when the clocks jump, at the first local time after the gap.
    /// </summary>
    public static DateTimeOffset StartOfDay(DateOnly day, TimeZoneInfo zone)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        if (zone.IsAmbiguousTime(midnight))
        {
            return new DateTimeOffset(midnight, zone.GetAmbiguousTimeOffsets(midnight).Max()).ToUniversalTime();
        }

        var local = midnight;
        while (zone.IsInvalidTime(local))
        {
            // Every real gap ends on a whole minute; at worst a skipped day is 1440 steps.
            local = local.AddMinutes(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
