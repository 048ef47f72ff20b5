using System.Globalization;
using System.Text;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands.Report;

/// <summary>Whether a figure meets its consensus target.</summary>
internal enum TargetStatus
{
    /// <summary>The figure has no target.</summary>
    None,
    Met,
    NotMet,
    NoData,
}

/// <summary>One figure of the summary as the table and the picture both show it.</summary>
internal sealed record MetricLine(string Label, string Value, string Target = "", TargetStatus Status = TargetStatus.None);

/// <summary>
/// The summary's figures formatted once, so that the table and the report page print the same
/// numbers with the same targets and verdicts.
/// </summary>
internal static class SummaryFigures
{
    /// <summary>International consensus on time in ranges (Battelino et al., Diabetes Care 2019) and on glycaemic variability.</summary>
    private const double InRangeTarget = 70;
    private const double Below70Target = 4;
    private const double Below54Target = 1;
    private const double Above180Target = 25;
    private const double Above250Target = 5;
    private const double CvTarget = 36;
    private const double WearTarget = 70;
    private const int DaysTarget = 14;

    public static string Period(Proto.Summary summary, ClinicClock clock)
    {
        var span = summary.From is { } from && summary.To is { } to
            ? string.Create(CultureInfo.InvariantCulture, $" ({(to.ToDateTimeOffset() - from.ToDateTimeOffset()).TotalDays:0.#} days)")
            : "";
        return $"{clock.Format(summary.From)} – {clock.Format(summary.To)} {clock.Name}{span}";
    }

    public static IReadOnlyList<MetricLine> Glucose(Proto.GlucoseMetrics g)
    {
        var interval = g.ReadingInterval is { } i && i.ToTimeSpan() > TimeSpan.Zero ? $" (every {Duration(i.ToTimeSpan())})" : "";
        return
        [
            new("Readings", g.Readings.ToString(CultureInfo.InvariantCulture) + interval),
            new("Sensor wear", Percent(g.WearPercent), $"≥ {WearTarget:0} %", g.WearPercent >= WearTarget ? TargetStatus.Met : TargetStatus.NotMet),
            new("Days with data", g.DaysWithData.ToString(CultureInfo.InvariantCulture)),
            new("Mean glucose", g.HasMeanMgDl ? MgDl(g.MeanMgDl) : "–"),
            new("Standard deviation", g.HasSdMgDl ? MgDl(g.SdMgDl) : "–"),
            Below("Coefficient of variation", g.HasCvPercent ? g.CvPercent : null, CvTarget, orEqual: true),
            new("GMI", g.HasGmiPercent ? Percent(g.GmiPercent) : "–"),
            Above("Time in range 70–180", g.HasPercentInRange ? g.PercentInRange : null, InRangeTarget),
            Below("Time below 70", g.HasPercentBelow70 ? g.PercentBelow70 : null, Below70Target),
            Below("Time below 54", g.HasPercentBelow54 ? g.PercentBelow54 : null, Below54Target),
            Below("Time above 180", g.HasPercentAbove180 ? g.PercentAbove180 : null, Above180Target),
            Below("Time above 250", g.HasPercentAbove250 ? g.PercentAbove250 : null, Above250Target),
        ];
    }

    /// <summary>
    /// Whether the data is enough for a report, and why not: the gateway's verdict, which asks for
    /// a period of at least 14 days and 70 % wear (days with data are shown, not judged).
    /// </summary>
    public static string Sufficiency(Proto.Summary summary)
    {
        var g = summary.Glucose;
        if (g is null)
        {
            return "no sensor glucose";
        }

        if (g.Sufficient)
        {
            return "sufficient";
        }

        var why = new List<string>();
        if (summary.From is { } from && summary.To is { } to && (to.ToDateTimeOffset() - from.ToDateTimeOffset()).TotalDays < DaysTarget)
        {
            why.Add(string.Create(CultureInfo.InvariantCulture, $"a period of {(to.ToDateTimeOffset() - from.ToDateTimeOffset()).TotalDays:0.#} days, under {DaysTarget}"));
        }

        if (g.WearPercent < WearTarget)
        {
            why.Add($"wear {Percent(g.WearPercent)}, under {WearTarget:0} %");
        }

        return why.Count == 0 ? "insufficient" : "insufficient: " + string.Join("; ", why);
    }

    public static IReadOnlyList<MetricLine> Insulin(Proto.InsulinMetrics insulin, IReadOnlyList<Google.Protobuf.WellKnownTypes.Timestamp> setChanges)
    {
        var days = insulin.Days.Count;
        var split = "–";
        if (insulin.BasalPerDay.Length > 0 || insulin.BolusPerDay.Length > 0)
        {
            // The bolus share is what the rounded basal share leaves, so that the two add up to 100 %.
            var basalPercent = Math.Round(insulin.BasalPercent, MidpointRounding.AwayFromZero);
            var basalShare = insulin.HasBasalPercent ? string.Create(CultureInfo.InvariantCulture, $" ({basalPercent:0} %)") : "";
            var bolusShare = insulin.HasBasalPercent ? string.Create(CultureInfo.InvariantCulture, $" ({100 - basalPercent:0} %)") : "";
            split = $"{Units(insulin.BasalPerDay)}{basalShare} / {Units(insulin.BolusPerDay)}{bolusShare}";
        }

        var suspensions = insulin.Suspensions.ToString(CultureInfo.InvariantCulture);
        if (insulin.Suspensions > 0 && insulin.SuspendedTime is { } suspended)
        {
            suspensions += $", {Duration(suspended.ToTimeSpan())} in all";
        }

        var changesText = insulin.SetChanges.ToString(CultureInfo.InvariantCulture);
        if (setChanges.Count >= 2)
        {
            var ordered = setChanges.Select(t => t.ToDateTimeOffset()).Order().ToList();
            var meanDays = (ordered[^1] - ordered[0]).TotalDays / (ordered.Count - 1);
            changesText += string.Create(CultureInfo.InvariantCulture, $", every {meanDays:0.0} days");
        }

        return
        [
            new($"Total daily dose ({days} {(days == 1 ? "day" : "days")})", Units(insulin.TotalDailyDose)),
            new("Basal / bolus per day", split),
            new("Boluses per day", string.Create(CultureInfo.InvariantCulture, $"{insulin.BolusesPerDay:0.0} ({insulin.Boluses} in all)")),
            new("Temporary basals", insulin.TemporaryBasals.ToString(CultureInfo.InvariantCulture)),
            new("Suspensions", suspensions),
            new("Set changes", changesText),
        ];
    }

    public static IEnumerable<Proto.AlarmCount> AlarmsByCount(Proto.Summary summary) =>
        summary.Alarms.OrderByDescending(a => a.Count).ThenBy(a => a.Kind);

    public static IEnumerable<Proto.Finding> FindingsBySeverity(Proto.Summary summary) =>
        summary.Findings.OrderByDescending(f => f.Severity).ThenBy(f => f.From?.ToDateTimeOffset() ?? DateTimeOffset.MinValue);

    public static string StatusText(TargetStatus status) => status switch
    {
        TargetStatus.Met => "met",
        TargetStatus.NotMet => "not met",
        TargetStatus.NoData => "no data",
        _ => "",
    };

    public static string AlarmKind(Proto.Alarm.Types.Kind kind) => Words(kind.ToString());

    public static string FindingKind(Proto.Finding.Types.Kind kind) => Words(kind.ToString());

    public static string Severity(Proto.Finding.Types.Severity severity) => Words(severity.ToString());

    public static string Percent(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:0.0} %");

    public static string MgDl(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:0} mg/dL");

    /// <summary>
    /// IU from the gateway's decimal text: an amount at a device's resolution (0.025 U at the
    /// finest) is shown whole, a mean over days to the hundredth.
    /// </summary>
    public static string Units(string units)
    {
        if (units.Length == 0)
        {
            return "–";
        }

        if (!decimal.TryParse(units, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return units + " U";
        }

        var text = value == Math.Round(value, 3)
            ? value.ToString("0.0##", CultureInfo.InvariantCulture)
            : Math.Round(value, 2, MidpointRounding.AwayFromZero).ToString("0.0#", CultureInfo.InvariantCulture);
        return text + " U";
    }

    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} s");
        }

        var hours = (int)span.TotalHours;
        return hours == 0 ? $"{span.Minutes} min" : span.Minutes == 0 ? $"{hours} h" : $"{hours} h {span.Minutes} min";
    }

    private static MetricLine Above(string label, double? value, double target) =>
        value is { } v
            ? new(label, Percent(v), $"> {target:0} %", v > target ? TargetStatus.Met : TargetStatus.NotMet)
            : new(label, "–", $"> {target:0} %", TargetStatus.NoData);

    private static MetricLine Below(string label, double? value, double target, bool orEqual = false) =>
        value is { } v
            ? new(label, Percent(v), $"{(orEqual ? "≤" : "<")} {target:0} %", v < target || (orEqual && v <= target) ? TargetStatus.Met : TargetStatus.NotMet)
            : new(label, "–", $"{(orEqual ? "≤" : "<")} {target:0} %", TargetStatus.NoData);

    /// <summary>An enum member's name as words: InfusionSetDetached → "infusion set detached".</summary>
    private static string Words(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                text.Append(' ');
            }

            text.Append(char.ToLowerInvariant(pascal[i]));
        }

        return text.ToString();
    }
}
