using System.Globalization;
using ScottPlot;

namespace PumpGateway.Cli.Commands.Report;

/// <summary>
/// One day's panel: sensor glucose over the target range, with a strip above it for the boluses
/// (with their units) and a strip below it for the delivered basal (a step line on the right
/// axis), and a coloured line with its kind for each alarm raised.
/// </summary>
internal static class DayPanel
{
    /// <summary>Room around the data area for the day's title and the axes: the same for every panel, so they line up.</summary>
    public static readonly PixelPadding Padding = new(left: 44, right: 66, bottom: 20, top: 22);

    private const float BasalStripPixels = 22;
    private const float BolusStripPixels = 18;
    private const float SmallFont = 12;

    /// <summary>The panel for a rectangle of this height; <paramref name="basalScale"/> is the rate (IU/h) the basal strip tops at, the same for every day.</summary>
    public static Plot Create(DayTrace trace, ClinicClock clock, float height, float width, double basalScale)
    {
        var plot = ReportStyle.NewPlot();
        plot.Layout.Fixed(Padding);

        var dataHeight = height - Padding.Top - Padding.Bottom;
        var dataWidth = width - Padding.Left - Padding.Right;
        var glucosePixels = Math.Max(20, dataHeight - BasalStripPixels - BolusStripPixels);
        var unitsPerPixel = AgpChart.MaxMgDl / glucosePixels;
        var bottom = -BasalStripPixels * unitsPerPixel;
        var top = AgpChart.MaxMgDl + (BolusStripPixels * unitsPerPixel);
        var hoursPerPixel = trace.Hours / dataWidth;

        var target = plot.Add.Rectangle(0, trace.Hours, ReportStyle.TargetLow, ReportStyle.TargetHigh);
        target.FillColor = ReportStyle.TargetBand;
        target.LineWidth = 0;
        foreach (var edge in new[] { 0.0, AgpChart.MaxMgDl })
        {
            plot.Add.HorizontalLine(edge, 1, ReportStyle.Separator);
        }

        DrawBasal(plot, trace, bottom, top, basalScale);
        foreach (var run in trace.SensorRuns)
        {
            var line = plot.Add.ScatterLine(run.Select(p => p.Hour).ToArray(), run.Select(p => Math.Min(p.Value, AgpChart.MaxMgDl)).ToArray(), ReportStyle.SensorGlucose);
            line.LineWidth = 2;
            line.MarkerSize = run.Count == 1 ? 4 : 0;
        }

        if (trace.MeterReadings.Count > 0)
        {
            plot.Add.Markers(trace.MeterReadings.Select(p => p.Hour).ToArray(), trace.MeterReadings.Select(p => Math.Min(p.Value, AgpChart.MaxMgDl)).ToArray(), MarkerShape.FilledCircle, 7, ReportStyle.MeterGlucose);
        }

        DrawBoluses(plot, trace, unitsPerPixel, hoursPerPixel);
        DrawAlarms(plot, trace, unitsPerPixel, hoursPerPixel);

        if (trace.SensorRuns.Count == 0 && trace.MeterReadings.Count == 0)
        {
            var none = plot.Add.Text("no glucose readings", trace.Hours / 2, 200);
            none.Alignment = Alignment.MiddleCenter;
            none.LabelFontSize = 14;
            none.LabelFontColor = ReportStyle.Muted;
        }

        var hours = Enumerable.Range(0, 9).Select(i => i * 3).ToArray();
        plot.Axes.Bottom.SetTicks(
            hours.Select(h => h == 24 ? trace.Hours : (clock.At(trace.Day, new TimeOnly(h, 0)) - clock.StartOf(trace.Day)).TotalHours).ToArray(),
            hours.Select(h => h.ToString("00", CultureInfo.InvariantCulture)).ToArray());
        if (glucosePixels >= 100)
        {
            plot.Axes.Left.SetTicks([ReportStyle.TargetLow, ReportStyle.TargetHigh, 300], ["70", "180", "300"]);
        }
        else
        {
            plot.Axes.Left.SetTicks([ReportStyle.TargetLow, ReportStyle.TargetHigh], ["70", "180"]);
        }

        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left, plot.Axes.Right })
        {
            axis.TickLabelStyle.FontSize = SmallFont;
        }

        plot.Axes.SetLimits(0, trace.Hours, bottom, top);
        return plot;
    }

    /// <summary>The rate the basal strips top at: the highest delivered on any day drawn, rounded up to a tenth.</summary>
    public static double BasalScale(IEnumerable<DayTrace> traces)
    {
        var highest = traces.SelectMany(t => t.BasalRuns).SelectMany(r => r).Select(p => p.Value).DefaultIfEmpty(0).Max();
        return Math.Max(0.5, Math.Ceiling(highest * 10) / 10);
    }

    /// <summary>The day's title, for the room above its panel: the date, then its boluses and alarms in short.</summary>
    public static Plot Title(DayTrace trace, float width)
    {
        var text = new TextPanel(width, Padding.Top);
        var date = trace.Day.ToString("ddd yyyy-MM-dd", CultureInfo.InvariantCulture);
        text.Write(0, 3, date, 15, ReportStyle.Ink, bold: true);

        var units = trace.Boluses.Sum(b => decimal.Parse(b.Units, NumberStyles.Float, CultureInfo.InvariantCulture));
        var details = trace.Boluses.Count switch
        {
            0 => "no bolus",
            1 => string.Create(CultureInfo.InvariantCulture, $"1 bolus, {units:0.##} U"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{trace.Boluses.Count} boluses, {units:0.##} U"),
        };
        if (trace.Alarms.Count > 0)
        {
            details += trace.Alarms.Count == 1 ? " · 1 alarm" : $" · {trace.Alarms.Count} alarms";
        }

        text.Write(ReportStyle.TextWidth(date, 15, bold: true) + 12, 4, details, 14, ReportStyle.Muted);
        return text.Plot;
    }

    /// <summary>The key to the daily panels' marks, on one line.</summary>
    public static Plot Legend(float width, float height)
    {
        var key = new TextPanel(width, height);
        var plot = key.Plot;
        var middle = height / 2;
        var x = 0.0;

        void Entry(string label, Action<double> symbol)
        {
            symbol(x);
            key.Write(x + 34, middle, label, 15, ReportStyle.Ink, alignment: Alignment.MiddleLeft);
            x += 34 + ReportStyle.TextWidth(label, 15) + 30;
        }

        Entry("sensor glucose (mg/dL)", at => plot.Add.Line(at, middle, at + 26, middle).LineStyle = new LineStyle { Color = ReportStyle.SensorGlucose, Width = 2.5f });
        Entry("meter", at => plot.Add.Marker(at + 13, middle, MarkerShape.FilledCircle, 8, ReportStyle.MeterGlucose));
        Entry("target 70–180", at => Box(plot, at, middle, ReportStyle.TargetBand, ReportStyle.TargetBand));
        Entry("bolus (U)", at => plot.Add.Marker(at + 13, middle, MarkerShape.FilledTriangleDown, 11, ReportStyle.Bolus));
        Entry("basal delivered (U/h, strip below)", at => Box(plot, at, middle, ReportStyle.BasalFill, ReportStyle.Basal));
        Entry("alarm raised (by severity)", at => plot.Add.Line(at + 13, middle - 9, at + 13, middle + 9).LineStyle = new LineStyle
        {
            Color = ReportStyle.AlarmColor(Api.V1.Alarm.Types.Severity.Alarm),
            Width = 2,
            Pattern = LinePattern.Dashed,
        });
        return plot;
    }

    private static void Box(Plot plot, double x, double middle, Color fill, Color line)
    {
        var box = plot.Add.Rectangle(x, x + 26, middle + 7, middle - 7);
        box.FillColor = fill;
        box.LineColor = line;
        box.LineWidth = 1.5f;
    }

    private static void DrawBasal(Plot plot, DayTrace trace, double bottom, double top, double basalScale)
    {
        // The strip below 0 mg/dL holds the basal: the right axis is scaled so that the day's
        // highest rate reaches just under the glucose area.
        var stripShare = -bottom / (top - bottom);
        var rightTop = basalScale / (stripShare * 0.9);
        plot.Axes.SetLimitsY(0, rightTop, plot.Axes.Right);
        plot.Axes.Right.SetTicks([0, basalScale], ["0", basalScale.ToString("0.0#", CultureInfo.InvariantCulture) + " U/h"]);
        foreach (var run in trace.BasalRuns)
        {
            var steps = plot.Add.ScatterLine(run.Select(p => p.Hour).ToArray(), run.Select(p => p.Value).ToArray(), ReportStyle.Basal);
            steps.ConnectStyle = ConnectStyle.StepHorizontal;
            steps.LineWidth = 1.5f;
            steps.FillY = true;
            steps.FillYValue = 0;
            steps.FillYColor = ReportStyle.BasalFill;
            steps.Axes.YAxis = plot.Axes.Right;
        }
    }

    /// <summary>Boluses closer than their labels are wide share one label ("4.5+2").</summary>
    private static void DrawBoluses(Plot plot, DayTrace trace, double unitsPerPixel, double hoursPerPixel)
    {
        if (trace.Boluses.Count == 0)
        {
            return;
        }

        var markerY = AgpChart.MaxMgDl + (5 * unitsPerPixel);
        plot.Add.Markers(trace.Boluses.Select(b => b.Hour).ToArray(), trace.Boluses.Select(_ => markerY).ToArray(), MarkerShape.FilledTriangleDown, 9, ReportStyle.Bolus);

        var groups = new List<(double Hour, string Text)>();
        var labelEnd = double.NegativeInfinity;
        foreach (var bolus in trace.Boluses.OrderBy(b => b.Hour))
        {
            if (groups.Count > 0 && bolus.Hour < labelEnd)
            {
                groups[^1] = (groups[^1].Hour, groups[^1].Text + "+" + bolus.Units);
            }
            else
            {
                groups.Add((bolus.Hour, bolus.Units));
            }

            labelEnd = groups[^1].Hour + ((ReportStyle.TextWidth(groups[^1].Text, SmallFont) + 10) * hoursPerPixel);
        }

        foreach (var (hour, text) in groups)
        {
            var label = plot.Add.Text(text, hour + (5 * hoursPerPixel), AgpChart.MaxMgDl + (2 * unitsPerPixel));
            label.Alignment = Alignment.LowerLeft;
            label.LabelFontSize = SmallFont;
            label.LabelFontColor = ReportStyle.Bolus;
            label.LabelPadding = 0;
        }
    }

    /// <summary>Alarms whose labels would overlap step down a line.</summary>
    private static void DrawAlarms(Plot plot, DayTrace trace, double unitsPerPixel, double hoursPerPixel)
    {
        var rowEnds = new List<double>();
        foreach (var alarm in trace.Alarms.OrderBy(a => a.Hour))
        {
            var color = ReportStyle.AlarmColor(alarm.Severity);
            var line = plot.Add.VerticalLine(alarm.Hour, 1.5f, color, LinePattern.Dashed);
            line.ExcludeFromLegend = true;

            var text = SummaryFigures.AlarmKind(alarm.Kind);
            var row = rowEnds.FindIndex(end => end < alarm.Hour);
            if (row < 0)
            {
                rowEnds.Add(0);
                row = rowEnds.Count - 1;
            }

            rowEnds[row] = alarm.Hour + ((ReportStyle.TextWidth(text, SmallFont) + 12) * hoursPerPixel);
            var label = plot.Add.Text(text, alarm.Hour + (3 * hoursPerPixel), AgpChart.MaxMgDl - ((4 + (row * 16)) * unitsPerPixel));
            label.Alignment = Alignment.UpperLeft;
            label.LabelFontSize = SmallFont;
            label.LabelFontColor = color;
            label.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
            label.LabelPadding = 1;
        }
    }
}
