using System.Globalization;
using ScottPlot;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands.Report;

/// <summary>
/// The ambulatory glucose profile: the 5–95 % and 25–75 % bands and the median over the time of
/// day, on the target range and the consensus thresholds.
/// </summary>
internal static class AgpChart
{
    public const double MaxMgDl = 400;

    private const double SlotMinutes = 15;

    public static Plot Create(Proto.GlucoseMetrics? glucose, ClinicClock clock)
    {
        var plot = ReportStyle.NewPlot();
        plot.Axes.Title.Label.Text = "Ambulatory glucose profile (AGP)";
        plot.Axes.Title.Label.FontSize = 22;
        plot.XLabel($"time of day ({clock.Name})", 16);
        plot.YLabel("glucose (mg/dL)", 16);

        var target = plot.Add.VerticalSpan(ReportStyle.TargetLow, ReportStyle.TargetHigh, ReportStyle.TargetBand);
        target.LineWidth = 0;
        target.LegendText = "target 70–180";

        var segments = Segments(glucose?.Agp ?? []);
        var first = true;
        foreach (var segment in segments)
        {
            var xs = segment.Select(p => p.Hour).ToArray();
            var outer = plot.Add.FillY(xs, segment.Select(p => p.P5).ToArray(), segment.Select(p => p.P95).ToArray());
            outer.FillColor = ReportStyle.OuterBand;
            outer.LineWidth = 0;
            var inner = plot.Add.FillY(xs, segment.Select(p => p.P25).ToArray(), segment.Select(p => p.P75).ToArray());
            inner.FillColor = ReportStyle.InnerBand;
            inner.LineWidth = 0;
            var median = plot.Add.ScatterLine(xs, segment.Select(p => p.P50).ToArray(), ReportStyle.Median);
            median.LineWidth = 3;
            if (first)
            {
                outer.LegendText = "5–95 %";
                inner.LegendText = "25–75 %";
                median.LegendText = "median";
                first = false;
            }
        }

        foreach (var (mgDl, color) in ReportStyle.Thresholds)
        {
            plot.Add.HorizontalLine(mgDl, 1.5f, color, LinePattern.Dashed);

            // 54 and 70 are close: 54 is labelled below its line, the others above theirs.
            var label = plot.Add.Text(mgDl.ToString(CultureInfo.InvariantCulture), 23.9, mgDl);
            label.Alignment = mgDl < ReportStyle.TargetLow ? Alignment.UpperRight : Alignment.LowerRight;
            label.LabelFontSize = 14;
            label.LabelBold = true;
            label.LabelFontColor = color;
            label.LabelPadding = 2;
            label.LabelBackgroundColor = Colors.White.WithAlpha(0.75);
        }

        if (segments.Count == 0)
        {
            var none = plot.Add.Text("no sensor glucose in the period", 12, 300);
            none.Alignment = Alignment.MiddleCenter;
            none.LabelFontSize = 20;
            none.LabelFontColor = ReportStyle.Muted;
        }

        plot.Axes.Bottom.SetTicks(
            Enumerable.Range(0, 9).Select(i => i * 3.0).ToArray(),
            Enumerable.Range(0, 9).Select(i => $"{i * 3:00}:00").ToArray());
        plot.Axes.Left.SetTicks([0, 50, 100, 150, 200, 250, 300, 350, 400], ["0", "50", "100", "150", "200", "250", "300", "350", "400"]);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 15;
        plot.Axes.Left.TickLabelStyle.FontSize = 15;
        plot.Axes.SetLimits(0, 24, 0, MaxMgDl);

        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Legend.FontSize = 15;
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    private readonly record struct ProfilePoint(double Hour, double P5, double P25, double P50, double P75, double P95);

    /// <summary>
    /// The slots with all five percentiles, at their middles, in runs of adjacent slots. The day
    /// wraps: when both ends have data the runs reach midnight at the mean of the two end slots.
    /// </summary>
    private static List<List<ProfilePoint>> Segments(IEnumerable<Proto.AgpSlot> slots)
    {
        var complete = slots
            .Where(s => s.HasP5 && s.HasP25 && s.HasP50 && s.HasP75 && s.HasP95 && s.MinuteOfDay is >= 0 and < 1440)
            .OrderBy(s => s.MinuteOfDay)
            .ToList();
        var segments = new List<List<ProfilePoint>>();
        Proto.AgpSlot? previous = null;
        foreach (var slot in complete)
        {
            if (previous is null || slot.MinuteOfDay - previous.MinuteOfDay > SlotMinutes)
            {
                segments.Add([]);
            }

            segments[^1].Add(new ProfilePoint((slot.MinuteOfDay + (SlotMinutes / 2)) / 60, slot.P5, slot.P25, slot.P50, slot.P75, slot.P95));
            previous = slot;
        }

        if (complete.Count > 1 && complete[0].MinuteOfDay == 0 && complete[^1].MinuteOfDay == 1440 - SlotMinutes)
        {
            var (a, b) = (complete[0], complete[^1]);
            ProfilePoint At(double hour) => new(hour, (a.P5 + b.P5) / 2, (a.P25 + b.P25) / 2, (a.P50 + b.P50) / 2, (a.P75 + b.P75) / 2, (a.P95 + b.P95) / 2);
            segments[0].Insert(0, At(0));
            segments[^1].Add(At(24));
        }

        return segments;
    }
}
