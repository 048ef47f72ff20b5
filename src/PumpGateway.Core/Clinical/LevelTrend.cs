using PumpGateway.Telemetry;

namespace PumpGateway.Clinical;

/// <summary>
/// A battery or reservoir level and where it is heading: the readings since the last rise (a
/// refill, a battery change) within the history window, the last of them, and a least-squares
/// line through them when there are at least three and it falls.
/// </summary>
/// <param name="Series">The readings the trend is drawn through, oldest first.</param>
/// <param name="SlopePerHour">Change per hour; null with fewer than three readings.</param>
/// <param name="EmptyAt">Where the line reaches 0; null unless it falls.</param>
public sealed record LevelTrend(IReadOnlyList<LevelReading> Series, double? SlopePerHour, DateTimeOffset? EmptyAt)
{
    public LevelReading Last => Series[^1];

    /// <summary>The trend of <paramref name="readings"/> (any order) taken in the <paramref name="window"/> before <paramref name="now"/>; null without a reading.</summary>
    public static LevelTrend? Of(IEnumerable<LevelReading> readings, DateTimeOffset now, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var points = readings.Where(r => r.Utc >= now - window && r.Utc <= now).OrderBy(r => r.Utc).ToList();
        var start = 0;
        for (var i = 1; i < points.Count; i++)
        {
            if (points[i].Value > points[i - 1].Value)
            {
                start = i;
            }
        }

        var series = points[start..];
        if (series.Count == 0)
        {
            return null;
        }

        if (series.Count < 3)
        {
            return new LevelTrend(series, null, null);
        }

        var origin = series[0].Utc;
        var xs = series.Select(p => (p.Utc - origin).TotalHours).ToArray();
        var (meanX, meanY) = (xs.Average(), series.Average(p => p.Value));
        var sxx = xs.Sum(x => (x - meanX) * (x - meanX));
        var sxy = xs.Zip(series, (x, p) => (x - meanX) * (p.Value - meanY)).Sum();
        if (sxx <= 0)
        {
            return new LevelTrend(series, null, null);
        }

        var slope = sxy / sxx;
        DateTimeOffset? emptyAt = slope < 0 ? origin + TimeSpan.FromSeconds(Math.Round((meanX - (meanY / slope)) * 3600)) : null;
        return new LevelTrend(series, slope, emptyAt);
    }

    /// <summary>The battery readings of a device's status events: percent where it says it, else volts.</summary>
    public static IEnumerable<LevelReading> Battery(IEnumerable<DeviceStatus> statuses) =>
        statuses.Select(s => s.BatteryPercent is { } percent ? new LevelReading(s.Utc, percent, "%", s.Id)
            : s.BatteryVolts is { } volts ? new LevelReading(s.Utc, volts, "V", s.Id)
            : null).OfType<LevelReading>();

    public static IEnumerable<LevelReading> Reservoir(IEnumerable<DeviceStatus> statuses) =>
        statuses.Where(s => s.ReservoirUnits is not null).Select(s => new LevelReading(s.Utc, (double)s.ReservoirUnits!.Value, "U", s.Id));
}

/// <param name="Unit">% or V for a battery, U for a reservoir.</param>
public sealed record LevelReading(DateTimeOffset Utc, double Value, string Unit, EventId Id);
