using PumpGateway.Telemetry;

namespace PumpGateway.Clinical;

/// <summary>
/// The international-consensus CGM metrics of a period (ARCHITECTURE.md, "Clinical facts"): mean,
/// variability, GMI, the time-in-ranges bands, sensor wear, and the AGP.
/// </summary>
public static class GlucoseMetrics
{
    /// <summary>The length a report needs before its metrics stand (international consensus).</summary>
    public const int SufficientDays = 14;

    /// <summary>The share of expected readings a report needs before its metrics stand (international consensus).</summary>
    public const double SufficientWearPercent = 70;

    /// <summary>What a reading interval defaults to when there are too few readings to measure it: the common CGM's.</summary>
    public static readonly TimeSpan DefaultReadingInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Sensor readings only (Source == Sensor, MgDl not null, not DisplayOnly), Utc within the period;
    /// a LOW / HIGH range-limit reading counts at its value (40 / 400 as stored), which is how the
    /// consensus counts them: a LOW is below 54 whatever its true value.
    /// </summary>
    /// <exception cref="ArgumentException">A counted reading's value is negative, NaN or infinite, or the sequence holds a null.</exception>
    public static GlucoseSummary Compute(IEnumerable<GlucoseReading> readings, ReportPeriod period)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentNullException.ThrowIfNull(period);

        var counted = new List<(DateTimeOffset Utc, double MgDl)>();
        foreach (var reading in readings)
        {
            if (reading is null)
            {
                throw new ArgumentException("The readings contain a null.", nameof(readings));
            }

            if (reading.Source != GlucoseSource.Sensor || reading.MgDl is not { } mgDl || reading.DisplayOnly || !period.Contains(reading.Utc))
            {
                continue;
            }

            if (!double.IsFinite(mgDl) || mgDl < 0)
            {
                throw new ArgumentException($"Reading {reading.Id} has no usable glucose value ({mgDl} mg/dL).", nameof(readings));
            }

            counted.Add((reading.Utc, mgDl));
        }

        counted.Sort((a, b) => a.Utc.CompareTo(b.Utc));
        var agp = AgpProfile.Compute(counted, period.ClinicZone, AgpProfile.DefaultSlotLength);
        var interval = NominalInterval(counted);
        var wear = WearPercent(counted.Count, interval, period.Length);
        var days = counted.Select(r => period.LocalDay(r.Utc)).Distinct().Count();
        var sufficient = period.SpansAtLeastDays(SufficientDays) && wear >= SufficientWearPercent;

        if (counted.Count == 0)
        {
            return new GlucoseSummary(0, interval, null, null, null, null, null, null, null, null, null, wear, days, sufficient, agp);
        }

        var n = counted.Count;
        var mean = counted.Sum(r => r.MgDl) / n;
        double? sd = null;
        if (n >= 2)
        {
            // Two passes (mean first, then squared deviations): no catastrophic cancellation on long periods.
            var squares = counted.Sum(r => (r.MgDl - mean) * (r.MgDl - mean));
            sd = Math.Sqrt(squares / (n - 1));
        }

        double? cv = sd is { } s && mean > 0 ? s / mean * 100 : null;
        var gmi = 3.31 + (0.02392 * mean);

        int below54 = 0, below70 = 0, inRange = 0, above180 = 0, above250 = 0;
        foreach (var (_, v) in counted)
        {
            if (v < 54)
            {
                below54++;
            }

            if (v < 70)
            {
                below70++;
            }
            else if (v <= 180)
            {
                inRange++;
            }
            else
            {
                above180++;
                if (v > 250)
                {
                    above250++;
                }
            }
        }

        double Share(int count) => count * 100.0 / n;
        return new GlucoseSummary(
            n, interval, mean, sd, cv, gmi,
            Share(below54), Share(below70), Share(inRange), Share(above180), Share(above250),
            wear, days, sufficient, agp);
    }

    /// <summary>
    /// The device's nominal interval: the median gap between consecutive readings, rounded to whole
    /// minutes (half a minute rounds up), at least a minute. The median rather than the mean because
    /// the gaps of a removed sensor are few and long and must not stretch the interval.
    /// </summary>
    private static TimeSpan NominalInterval(List<(DateTimeOffset Utc, double MgDl)> sortedReadings)
    {
        if (sortedReadings.Count < 2)
        {
            return DefaultReadingInterval;
        }

        var gaps = new long[sortedReadings.Count - 1];
        for (var i = 1; i < sortedReadings.Count; i++)
        {
            gaps[i - 1] = (sortedReadings[i].Utc - sortedReadings[i - 1].Utc).Ticks;
        }

        Array.Sort(gaps);
        var middle = gaps.Length / 2;
        var medianTicks = gaps.Length % 2 == 1 ? gaps[middle] : (gaps[middle - 1] / 2.0) + (gaps[middle] / 2.0);
        var minutes = Math.Round(medianTicks / TimeSpan.TicksPerMinute, MidpointRounding.AwayFromZero);
        return TimeSpan.FromMinutes(Math.Max(1, minutes));
    }

    /// <summary>Readings over the readings the period could hold at the nominal interval, capped at 100 %.</summary>
    private static double WearPercent(int readings, TimeSpan interval, TimeSpan periodLength)
    {
        // readings × interval × 100 is an exact integer (whole minutes), so a wear that is exactly 70 %
        // comes out as exactly 70, not 69.99999999999999: the sufficiency threshold is inclusive.
        var numerator = (double)readings * (long)interval.TotalMinutes * 100;
        var wear = numerator / periodLength.TotalMinutes;
        return Math.Min(100, wear);
    }
}

/// <summary>The consensus CGM metrics of one period. Percentages are shares of the counted readings, 0 to 100.</summary>
/// <param name="Readings">Sensor readings counted.</param>
/// <param name="ReadingInterval">The device's nominal interval: the median gap between consecutive readings, rounded to whole minutes (at least 1 min); 5 min with fewer than 2 readings.</param>
/// <param name="MeanMgDl">Mean glucose; null without readings.</param>
/// <param name="SdMgDl">Sample standard deviation (n − 1); null with fewer than 2 readings.</param>
/// <param name="CvPercent">Coefficient of variation, SD / mean × 100 (target ≤ 36 %).</param>
/// <param name="GmiPercent">Glucose management indicator, 3.31 + 0.02392 × mean.</param>
/// <param name="PercentBelow54">Below 54 mg/dL (target &lt; 1 %).</param>
/// <param name="PercentBelow70">Below 70 mg/dL, including below 54 (target &lt; 4 %).</param>
/// <param name="PercentInRange">70 to 180 mg/dL inclusive (target &gt; 70 %).</param>
/// <param name="PercentAbove180">Above 180 mg/dL, including above 250 (target &lt; 25 %).</param>
/// <param name="PercentAbove250">Above 250 mg/dL (target &lt; 5 %).</param>
/// <param name="WearPercent">Readings over the readings the period could hold at the nominal interval, capped at 100.</param>
/// <param name="DaysWithData">Clinic-local calendar days with at least one reading.</param>
/// <param name="Sufficient">At least 14 days (see <see cref="ReportPeriod.SpansAtLeastDays"/>) and at least 70 % wear.</param>
/// <param name="Agp">The readings folded onto one clinic-local day.</param>
public sealed record GlucoseSummary(
    int Readings,
    TimeSpan ReadingInterval,
    double? MeanMgDl,
    double? SdMgDl,
    double? CvPercent,
    double? GmiPercent,
    double? PercentBelow54,
    double? PercentBelow70,
    double? PercentInRange,
    double? PercentAbove180,
    double? PercentAbove250,
    double WearPercent,
    int DaysWithData,
    bool Sufficient,
    AgpProfile Agp);
