using System.Globalization;
using System.Text.RegularExpressions;

namespace PumpGateway.Cli.Commands.Report;

/// <summary>The period [From, To) a summary is asked for, as <c>pumpgw summary --from --to</c> read it.</summary>
internal readonly partial record struct SummaryPeriod(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>A therapy review looks at the last 14 days (the consensus' minimum for a sufficient report).</summary>
    public static readonly TimeSpan DefaultLength = TimeSpan.FromDays(14);

    /// <summary>
    /// Reads --from and --to: each a date (yyyy-MM-dd, UTC midnight) or an ISO 8601 timestamp (UTC
    /// when it has no offset). Without --to the period ends now; without --from it is the 14 days
    /// before its end.
    /// </summary>
    public static bool TryParse(string? from, string? to, DateTimeOffset now, out SummaryPeriod period, out string error)
    {
        period = default;
        DateTimeOffset end = now;
        if (to is not null && !TryParseTime(to, out end))
        {
            error = $"--to: '{to}' is neither a date (2026-11-15) nor an ISO timestamp (2026-11-15T08:00+01:00).";
            return false;
        }

        var start = end - DefaultLength;
        if (from is not null && !TryParseTime(from, out start))
        {
            error = $"--from: '{from}' is neither a date (2026-11-01) nor an ISO timestamp (2026-11-01T08:00+01:00).";
            return false;
        }

        if (start >= end)
        {
            error = $"the period is empty: --from {Format(start)} is not before --to {Format(end)}.";
            return false;
        }

        period = new SummaryPeriod(start, end);
        error = "";
        return true;
    }

    /// <summary>A date is its UTC midnight; a timestamp without an offset is UTC.</summary>
    public static bool TryParseTime(string text, out DateTimeOffset time)
    {
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            time = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }

        // Only ISO 8601 forms: the culture's other forms (11/01/2026) would be read either way round.
        if (IsoTimestamp().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
        {
            return true;
        }

        time = default;
        return false;
    }

    private static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?$", RegexOptions.IgnoreCase)]
    private static partial Regex IsoTimestamp();
}
