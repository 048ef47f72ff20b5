using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Clinical;

/// <summary>
/// The clinical figures computed the long way, from a scenario's ground truth, with the definitions
/// of ARCHITECTURE.md ("Clinical facts") and of the rules' documentation: what the gateway's answers
/// are held to. Nothing here calls PumpGateway.Clinical.
/// </summary>
internal static class ByHand
{
    public static readonly TimeSpan Significant = TimeSpan.FromHours(2);
    public static readonly TimeSpan Major = TimeSpan.FromHours(6);
    public static readonly TimeSpan SetWarning = TimeSpan.FromDays(3);
    public static readonly TimeSpan SetAlert = TimeSpan.FromDays(4);
    public static readonly TimeSpan ExplanationWindow = TimeSpan.FromHours(3);
    public static readonly TimeSpan SustainedHigh = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan SensorGap = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan LevelWindow = TimeSpan.FromHours(48);

    /// <summary>
    /// What an IEEE 11073 SFLOAT can carry of an amount: a 12-bit mantissa (at most 2045 before the
    /// special values) times a power of ten, so about four significant digits; the pump takes the
    /// finest step from 0.001 up that fits and rounds half away from zero. A day's 25.35 U goes over
    /// the wire as 25.4 U.
    /// </summary>
    public static decimal Sfloat(decimal amount)
    {
        for (var step = 0.001m; step <= 10_000_000m; step *= 10)
        {
            var mantissa = Math.Round(amount / step, MidpointRounding.AwayFromZero);
            if (Math.Abs(mantissa) <= 2045)
            {
                return mantissa * step;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(amount), amount, "beyond an SFLOAT");
    }

    /// <summary>A sensor glucose the Paradigm's glucose page holds: one byte of mg/dL ÷ 2, rounded half up.</summary>
    public static double ParadigmGlucose(int mgDl) => 2 * Math.Round(mgDl / 2.0, MidpointRounding.AwayFromZero);

    public static DateTimeOffset Utc(DateTime unspecified) => new(DateTime.SpecifyKind(unspecified, DateTimeKind.Unspecified), TimeSpan.Zero);

    /// <summary>Midnight UTC <paramref name="days"/> days before today, on a scenario's axis (no kind).</summary>
    public static DateTime MidnightDaysAgo(int days) => DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(-days), DateTimeKind.Unspecified);

    /// <summary>
    /// The consensus figures of the readings in [from, to): mean, sample SD, CV, GMI = 3.31 + 0.02392 × mean,
    /// the five bands (below 54, below 70, 70 to 180 inclusive, above 180, above 250), wear = readings ×
    /// interval over the period, the clinic-local days with a reading, and sufficiency (14 days, 70 % wear).
    /// </summary>
    public static GlucoseFigures Glucose(IEnumerable<(DateTimeOffset Utc, double MgDl)> readings, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, TimeZoneInfo zone)
    {
        var values = readings.Where(r => r.Utc >= from && r.Utc < to).ToList();
        var n = values.Count;
        double sum = 0;
        foreach (var (_, mgDl) in values)
        {
            sum += mgDl;
        }

        var mean = sum / n;
        double squares = 0;
        foreach (var (_, mgDl) in values)
        {
            squares += (mgDl - mean) * (mgDl - mean);
        }

        var sd = Math.Sqrt(squares / (n - 1));
        double Share(Func<double, bool> band) => values.Count(r => band(r.MgDl)) * 100.0 / n;
        var wear = Math.Min(100, n * interval.TotalMinutes * 100 / (to - from).TotalMinutes);
        var days = values.Select(r => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(r.Utc, zone).DateTime)).Distinct().Count();
        return new GlucoseFigures(
            n, mean, sd, sd / mean * 100, 3.31 + (0.02392 * mean),
            Share(v => v < 54), Share(v => v < 70), Share(v => v is >= 70 and <= 180), Share(v => v > 180), Share(v => v > 250),
            wear, days, to - from >= TimeSpan.FromDays(14) && wear >= 70);
    }

    /// <summary>
    /// The AGP's 96 slots of 15 minutes of clinic-local time of day: each slot's readings and their 5th,
    /// 25th, 50th, 75th and 95th percentiles by the definition AgpProfile documents (numpy "linear").
    /// </summary>
    public static IReadOnlyList<(int Readings, double[]? Percentiles)> Agp(IEnumerable<(DateTimeOffset Utc, double MgDl)> readings, TimeZoneInfo zone)
    {
        var slots = Enumerable.Range(0, 96).Select(_ => new List<double>()).ToArray();
        foreach (var (utc, mgDl) in readings)
        {
            var local = TimeZoneInfo.ConvertTime(utc, zone);
            slots[((local.Hour * 60) + local.Minute) / 15].Add(mgDl);
        }

        return [.. slots.Select(values =>
        {
            values.Sort();
            return (values.Count, values.Count == 0 ? null : new[] { 5, 25, 50, 75, 95 }.Select(p => Percentile(values, p)).ToArray());
        })];
    }

    /// <summary>Rank h = (n − 1) × p / 100 into the sorted values, interpolated linearly between the two ranks around it.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, int percent)
    {
        var h = (sorted.Count - 1) * percent / 100.0;
        var low = (int)Math.Floor(h);
        if (low >= sorted.Count - 1)
        {
            return sorted[^1];
        }

        return sorted[low] + ((h - low) * (sorted[low + 1] - sorted[low]));
    }

    /// <summary>Stretches that overlap or touch, joined.</summary>
    public static List<(DateTimeOffset From, DateTimeOffset To)> Merge(IEnumerable<(DateTimeOffset From, DateTimeOffset To)> stretches)
    {
        var merged = new List<(DateTimeOffset From, DateTimeOffset To)>();
        foreach (var (from, to) in stretches.OrderBy(s => s.From).ThenBy(s => s.To))
        {
            if (merged.Count > 0 && from <= merged[^1].To)
            {
                merged[^1] = (merged[^1].From, to > merged[^1].To ? to : merged[^1].To);
            }
            else
            {
                merged.Add((from, to));
            }
        }

        return merged;
    }

    /// <summary>
    /// No insulin for 2 h is a significant deficiency, for 6 h a major one: the stretches the pump
    /// delivered nothing (a stretch still open at <paramref name="now"/> runs to it), joined where they touch.
    /// </summary>
    public static IEnumerable<ExpectedFinding> Interruptions(IEnumerable<(DateTimeOffset From, DateTimeOffset? To)> stops, DateTimeOffset now) =>
        Merge(stops.Where(s => s.From <= now).Select(s => (s.From, s.To is { } to && to <= now ? to : now)))
            .Where(s => s.To - s.From >= Significant)
            .Select(s => new ExpectedFinding(
                Proto.Finding.Types.Kind.DeliveryInterrupted,
                s.To - s.From >= Major ? Proto.Finding.Types.Severity.Major : Proto.Finding.Types.Severity.Significant,
                s.From,
                s.To));

    /// <summary>Each set from its change to the next (the last one to <paramref name="now"/>): worn 3 days a warning, more than 4 an alert.</summary>
    public static IEnumerable<ExpectedFinding> SetAges(IReadOnlyList<DateTimeOffset> changes, DateTimeOffset now)
    {
        var inPlace = changes.Where(c => c <= now).Order().ToList();
        for (var i = 0; i < inPlace.Count; i++)
        {
            var to = i == inPlace.Count - 1 ? now : inPlace[i + 1];
            var worn = to - inPlace[i];
            if (worn > SetAlert)
            {
                yield return new ExpectedFinding(Proto.Finding.Types.Kind.InfusionSetAge, Proto.Finding.Types.Severity.Significant, inPlace[i], to);
            }
            else if (worn >= SetWarning)
            {
                yield return new ExpectedFinding(Proto.Finding.Types.Kind.InfusionSetAge, Proto.Finding.Types.Severity.Warning, inPlace[i], to);
            }
        }
    }

    /// <summary>
    /// Runs of consecutive sensor readings above 300 mg/dL (readings more than 30 minutes apart break a
    /// run) lasting 30 minutes or more, first to last reading, that nothing in the 3 hours up to their
    /// start explains (<paramref name="explained"/> says what does).
    /// </summary>
    public static IEnumerable<ExpectedFinding> UnexplainedHighs(IReadOnlyList<(DateTimeOffset Utc, double MgDl)> readings, Func<DateTimeOffset, DateTimeOffset, bool> explained)
    {
        foreach (var run in HighRuns(readings))
        {
            var (start, end) = (run[0].Utc, run[^1].Utc);
            if (end - start >= SustainedHigh && !explained(start - ExplanationWindow, start))
            {
                yield return new ExpectedFinding(Proto.Finding.Types.Kind.SuspectedSetFailure, Proto.Finding.Types.Severity.Warning, start, end);
            }
        }
    }

    public static List<List<(DateTimeOffset Utc, double MgDl)>> HighRuns(IReadOnlyList<(DateTimeOffset Utc, double MgDl)> readings)
    {
        var runs = new List<List<(DateTimeOffset Utc, double MgDl)>>();
        List<(DateTimeOffset Utc, double MgDl)>? run = null;
        foreach (var reading in readings.OrderBy(r => r.Utc))
        {
            if (reading.MgDl <= 300 || (run is not null && reading.Utc - run[^1].Utc > SensorGap))
            {
                run = null;
            }

            if (reading.MgDl > 300)
            {
                if (run is null)
                {
                    run = [];
                    runs.Add(run);
                }

                run.Add(reading);
            }
        }

        return runs;
    }

    /// <summary>
    /// Occlusion alarms raised at least twice within 7 days: every raise that has another in the 7 days
    /// up to it is marked, with that other; consecutive marked raises make one finding, first to last.
    /// </summary>
    public static IEnumerable<ExpectedFinding> RepeatedOcclusions(IReadOnlyList<DateTimeOffset> raises)
    {
        var sorted = raises.Order().ToList();
        var marked = new bool[sorted.Count];
        for (var last = 0; last < sorted.Count; last++)
        {
            var inWindow = Enumerable.Range(0, last + 1).Where(i => sorted[i] >= sorted[last] - TimeSpan.FromDays(7)).ToList();
            if (inWindow.Count >= 2)
            {
                inWindow.ForEach(i => marked[i] = true);
            }
        }

        for (var i = 0; i < sorted.Count; i++)
        {
            if (!marked[i])
            {
                continue;
            }

            var first = i;
            while (i + 1 < sorted.Count && marked[i + 1])
            {
                i++;
            }

            yield return new ExpectedFinding(Proto.Finding.Types.Kind.RepeatedOcclusions, Proto.Finding.Types.Severity.Significant, sorted[first], sorted[i]);
        }
    }

    /// <summary>
    /// A level's readings in the 48 hours up to <paramref name="end"/>, from the last rise (a refill, a new
    /// battery) on, and the least-squares line through them when there are three or more: its slope per
    /// hour and where it reaches 0 (to the second) when it falls.
    /// </summary>
    public static LevelLine? Level(IEnumerable<(DateTimeOffset Utc, double Value)> readings, DateTimeOffset end)
    {
        var points = readings.Where(r => r.Utc >= end - LevelWindow && r.Utc <= end).OrderBy(r => r.Utc).ToList();
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
            return new LevelLine(series, null, null);
        }

        // The normal equations in raw sums (n·Σxy − Σx·Σy over n·Σx² − (Σx)²), x in hours since the first reading;
        // the line reaches 0 at x = −intercept / slope.
        var origin = series[0].Utc;
        double n = series.Count, sumX = 0, sumY = 0, sumXx = 0, sumXy = 0;
        foreach (var (utc, value) in series)
        {
            var x = (utc - origin).TotalHours;
            (sumX, sumY, sumXx, sumXy) = (sumX + x, sumY + value, sumXx + (x * x), sumXy + (x * value));
        }

        var denominator = (n * sumXx) - (sumX * sumX);
        if (denominator <= 1e-9)
        {
            return new LevelLine(series, null, null);
        }

        var slope = ((n * sumXy) - (sumX * sumY)) / denominator;
        var intercept = (sumY - (slope * sumX)) / n;
        DateTimeOffset? empty = slope < 0 ? origin + TimeSpan.FromSeconds(Math.Round(-intercept / slope * 3600)) : null;
        return new LevelLine(series, slope, empty);
    }

    /// <summary>A battery or reservoir projected empty within 24 h (a warning; within 6 h, or already at 0, significant), judged at <paramref name="now"/>.</summary>
    public static IEnumerable<ExpectedFinding> RunningOut(Proto.Finding.Types.Kind kind, IEnumerable<(DateTimeOffset Utc, double Value)> readings, DateTimeOffset now)
    {
        if (Level(readings, now) is not { } line)
        {
            yield break;
        }

        var (first, last) = (line.Series[0], line.Series[^1]);
        if (last.Value <= 0)
        {
            yield return new ExpectedFinding(kind, Proto.Finding.Types.Severity.Significant, first.Utc, last.Utc);
            yield break;
        }

        if (line.EmptyAt is not { } empty || (empty - now).TotalHours > 24)
        {
            yield break;
        }

        yield return new ExpectedFinding(kind, (empty - now).TotalHours <= 6 ? Proto.Finding.Types.Severity.Significant : Proto.Finding.Types.Severity.Warning, first.Utc, last.Utc);
    }

    /// <summary>The gateway's findings as the scenarios compare them (kind, severity, span), in its order.</summary>
    public static List<ExpectedFinding> AsFound(IEnumerable<Proto.Finding> findings) =>
        [.. findings.Select(f => new ExpectedFinding(f.Kind, f.Severity, f.From.ToDateTimeOffset(), f.To.ToDateTimeOffset()))];

    /// <summary>In the order the gateway lists findings: by start, then kind, then end.</summary>
    public static List<ExpectedFinding> Ordered(IEnumerable<ExpectedFinding> findings) =>
        [.. findings.OrderBy(f => f.From).ThenBy(f => f.Kind).ThenBy(f => f.To)];
}

internal sealed record GlucoseFigures(
    int Readings, double Mean, double Sd, double Cv, double Gmi,
    double Below54, double Below70, double InRange, double Above180, double Above250,
    double Wear, int Days, bool Sufficient);

internal sealed record LevelLine(IReadOnlyList<(DateTimeOffset Utc, double Value)> Series, double? SlopePerHour, DateTimeOffset? EmptyAt);

internal sealed record ExpectedFinding(Proto.Finding.Types.Kind Kind, Proto.Finding.Types.Severity Severity, DateTimeOffset From, DateTimeOffset To);
