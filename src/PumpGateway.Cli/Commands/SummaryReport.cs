using System.Globalization;
using PumpGateway.Cli.Commands.Report;
using ScottPlot;
using SkiaSharp;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands;

/// <summary>The file formats the review page is written in.</summary>
internal enum ReportFormat
{
    Svg,
    Png,
}

/// <summary>
/// The therapy-review page: the summary's figures beside the AGP, a panel per day with glucose,
/// boluses, basal and alarms, then the alarms and findings of the period. Drawn with ScottPlot
/// from the summary and the events alone, so it renders the same with or without a gateway.
/// </summary>
internal static class SummaryReport
{
    public const int Width = 1600;
    public const int Height = 2000;

    private const float Margin = 40;
    private const float LineHeight = 24;

    /// <summary>Where the first finding's line starts in the alarms-and-findings block, below the alarms and the heading.</summary>
    private const float FindingsTop = 68;

    /// <summary>
    /// True when Skia finds no font on this machine (a Debian without fonts-dejavu-core): the page
    /// would then be drawn without any text.
    /// </summary>
    public static bool NoFonts => SKFontManager.Default.FontFamilyCount == 0;

    /// <summary>The format a file name asks for by its extension (.svg or .png, any case); null for any other.</summary>
    public static ReportFormat? FormatOf(string path) => Path.GetExtension(path).ToUpperInvariant() switch
    {
        ".SVG" => ReportFormat.Svg,
        ".PNG" => ReportFormat.Png,
        _ => null,
    };

    /// <summary>The page, encoded: an SVG document or a PNG image of <see cref="Width"/> × <see cref="Height"/> pixels.</summary>
    public static byte[] Render(Proto.Summary summary, IReadOnlyList<Proto.TelemetryEvent> events, ReportFormat format)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(events);
        var parts = Compose(summary, events);
        try
        {
            return format == ReportFormat.Svg ? EncodeSvg(parts) : EncodePng(parts);
        }
        finally
        {
            foreach (var (plot, _) in parts)
            {
                plot.Dispose();
            }
        }
    }

    private static List<(Plot Plot, PixelRect Rect)> Compose(Proto.Summary summary, IReadOnlyList<Proto.TelemetryEvent> events)
    {
        var clock = ClinicClock.Of(summary);
        var parts = new List<(Plot, PixelRect)>();
        void Place(Plot plot, float left, float top, float width, float height) =>
            parts.Add((plot, new PixelRect(left, left + width, top + height, top)));

        Place(Header(summary, clock, Width - (2 * Margin), 112), Margin, 16, Width - (2 * Margin), 112);
        Place(AgpChart.Create(summary.Glucose, clock), 20, 130, 990, 500);
        Place(Figures(summary, 550, 500), 1030, 140, 550, 500);

        var traces = DayTrace.Build(summary, events, clock);
        var top = 640f;
        Place(Heading($"Daily traces, clinic time ({traces.Count} {(traces.Count == 1 ? "day" : "days")}, the last {DayTrace.MaxDays} at most)"), Margin, top, 900, 30);
        Place(DayPanel.Legend(Width - (2 * Margin), 30), Margin, top + 32, Width - (2 * Margin), 30);
        top += 70;

        // The findings get the room they need (within bounds), the daily panels the rest.
        var findingsHeight = Math.Clamp(FindingsTop + (LineHeight * (Math.Max(1, summary.Findings.Count) + 0.5f)), 150, 320);
        if (traces.Count > 0)
        {
            // A week fits one column; two weeks fill a second, so that a row holds the same weekday of both.
            const int rowsPerColumn = 7;
            var columns = traces.Count > rowsPerColumn ? 2 : 1;
            var rows = Math.Min(traces.Count, rowsPerColumn);
            var panelHeight = Math.Min((Height - top - findingsHeight - 20) / rows, 260);
            var panelWidth = (Width - 40f) / columns;
            var basalScale = DayPanel.BasalScale(traces);
            for (var i = 0; i < traces.Count; i++)
            {
                var (left, panelTop) = (20 + (i / rows * panelWidth), top + (i % rows * panelHeight));
                Place(DayPanel.Create(traces[i], clock, panelHeight, panelWidth, basalScale), left, panelTop, panelWidth, panelHeight);
                Place(DayPanel.Title(traces[i], panelWidth - DayPanel.Padding.Left), left + DayPanel.Padding.Left, panelTop, panelWidth - DayPanel.Padding.Left, DayPanel.Padding.Top);
            }

            top += rows * panelHeight;
        }

        top += 12;
        Place(AlarmsAndFindings(summary, clock, Width - (2 * Margin), Height - top - 8), Margin, top, Width - (2 * Margin), Height - top - 8);
        return parts;
    }

    private static Plot Header(Proto.Summary summary, ClinicClock clock, float width, float height)
    {
        var text = new TextPanel(width, height);
        text.Write(0, 0, $"Therapy review · {summary.DeviceId}", 30, ReportStyle.Ink, bold: true);
        text.Write(0, 46, "Period " + SummaryFigures.Period(summary, clock), 19, ReportStyle.Ink);
        if (summary.Glucose is { } glucose)
        {
            var sufficiency = "Sensor data " + SummaryFigures.Sufficiency(summary) + " for a report (at least 14 days and 70 % wear)";
            text.Write(0, 78, sufficiency, 19, glucose.Sufficient ? ReportStyle.Met : ReportStyle.NotMet, bold: !glucose.Sufficient);
        }
        else
        {
            text.Write(0, 78, "No sensor glucose in the period", 19, ReportStyle.NotMet, bold: true);
        }

        return text.Plot;
    }

    private static Plot Heading(string title)
    {
        var text = new TextPanel(900, 30);
        text.Write(0, 2, title, 21, ReportStyle.Ink, bold: true);
        return text.Plot;
    }

    /// <summary>The table's figures with their targets and whether each is met, in columns.</summary>
    private static Plot Figures(Proto.Summary summary, float width, float height)
    {
        const float size = 16;
        const float valueX = 215;
        const float targetX = 370;
        const float statusX = 450;
        var text = new TextPanel(width, height);
        var y = 0f;

        void Section(string title)
        {
            text.Write(0, y, title, 20, ReportStyle.Ink, bold: true);
            y += 30;
        }

        void Line(MetricLine line, float valueWidth)
        {
            text.Write(0, y, line.Label, size, ReportStyle.Ink);
            text.Write(valueX, y, ReportStyle.Fit(line.Value, size, valueWidth), size, ReportStyle.Ink, bold: line.Status != TargetStatus.None);
            if (line.Status != TargetStatus.None)
            {
                text.Write(targetX, y, line.Target, size, ReportStyle.Muted);
                text.Write(statusX, y, SummaryFigures.StatusText(line.Status), size, ReportStyle.StatusColor(line.Status), bold: true);
            }

            y += 22;
        }

        Section("Glucose");
        if (summary.Glucose is { } glucose)
        {
            foreach (var line in SummaryFigures.Glucose(glucose))
            {
                Line(line, line.Status == TargetStatus.None && line.Target.Length == 0 ? width - valueX : targetX - valueX - 8);
            }
        }
        else
        {
            text.Write(0, y, "no sensor glucose in the period", size, ReportStyle.Muted);
            y += LineHeight;
        }

        y += 14;
        Section("Insulin");
        if (summary.Insulin is { } insulin)
        {
            foreach (var line in SummaryFigures.Insulin(insulin, summary.SetChanges))
            {
                Line(line, width - valueX);
            }
        }
        else
        {
            text.Write(0, y, "no insulin recorded in the period", size, ReportStyle.Muted);
        }

        return text.Plot;
    }

    private static Plot AlarmsAndFindings(Proto.Summary summary, ClinicClock clock, float width, float height)
    {
        const float size = 16;
        var text = new TextPanel(width, height);
        var y = 0f;

        text.Write(0, y, "Alarms", 20, ReportStyle.Ink, bold: true);
        var alarms = summary.Alarms.Count == 0
            ? "none raised in the period"
            : string.Join(" · ", SummaryFigures.AlarmsByCount(summary).Select(a => $"{SummaryFigures.AlarmKind(a.Kind)} {a.Count.ToString(CultureInfo.InvariantCulture)}"));
        text.Write(110, y + 3, ReportStyle.Fit(alarms, size, width - 110), size, summary.Alarms.Count == 0 ? ReportStyle.Muted : ReportStyle.Ink);
        y += 36;

        text.Write(0, y, "Findings", 20, ReportStyle.Ink, bold: true);
        y = FindingsTop;
        var findings = SummaryFigures.FindingsBySeverity(summary).ToList();
        if (findings.Count == 0)
        {
            text.Write(0, y, "none in the period", size, ReportStyle.Muted);
            return text.Plot;
        }

        var room = Math.Max(1, (int)((height - y) / LineHeight));
        var shown = findings.Count <= room ? findings.Count : room - 1;
        foreach (var finding in findings.Take(shown))
        {
            text.Write(0, y, SummaryFigures.Severity(finding.Severity), size, ReportStyle.FindingColor(finding.Severity), bold: true);
            text.Write(110, y, SummaryFigures.FindingKind(finding.Kind), size, ReportStyle.Ink);
            text.Write(320, y, clock.FormatSpan(finding.From, finding.To), size, ReportStyle.Muted);
            text.Write(680, y, ReportStyle.Fit(finding.Summary, size, width - 680), size, ReportStyle.Ink);
            y += LineHeight;
        }

        if (shown < findings.Count)
        {
            text.Write(0, y, $"… and {findings.Count - shown} more: see `pumpgw summary {summary.DeviceId}`", size, ReportStyle.Muted);
        }

        return text.Plot;
    }

    private static byte[] EncodePng(List<(Plot Plot, PixelRect Rect)> parts)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException("Skia could not create a raster surface.");
        Draw(surface.Canvas, parts);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static byte[] EncodeSvg(List<(Plot Plot, PixelRect Rect)> parts)
    {
        using var stream = new MemoryStream();
        using (var managed = new SKManagedWStream(stream))
        {
            // The SVG is complete only when its canvas is disposed.
            using var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, Height), managed);
            Draw(canvas, parts);
        }

        return stream.ToArray();
    }

    private static void Draw(SKCanvas canvas, List<(Plot Plot, PixelRect Rect)> parts)
    {
        canvas.Clear(SKColors.White);
        using var rehearsal = new SKNoDrawCanvas(Width, Height);
        foreach (var (plot, rect) in parts)
        {
            // ScottPlot renders a plot a second time when the first render changed its layout or
            // limits. On a shared page that would draw it twice (darker translucent fills, every
            // SVG element twice), so the first render goes to a canvas that draws nothing.
            plot.Render(rehearsal, rect);
            plot.Render(canvas, rect);
        }
    }
}
