using ScottPlot;
using SkiaSharp;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands.Report;

/// <summary>The report page's colours, fonts and the glucose thresholds its charts mark, in one place.</summary>
internal static class ReportStyle
{
    public static readonly Color Ink = Color.FromHex("#1F2937");
    public static readonly Color Muted = Color.FromHex("#6B7280");
    public static readonly Color Met = Color.FromHex("#15803D");
    public static readonly Color NotMet = Color.FromHex("#B91C1C");
    public static readonly Color TargetBand = Color.FromHex("#22C55E").WithAlpha(0.13);
    public static readonly Color OuterBand = Color.FromHex("#60A5FA").WithAlpha(0.30);
    public static readonly Color InnerBand = Color.FromHex("#2563EB").WithAlpha(0.45);
    public static readonly Color Median = Color.FromHex("#1E3A8A");
    public static readonly Color SensorGlucose = Color.FromHex("#1E3A8A");
    public static readonly Color MeterGlucose = Color.FromHex("#DB2777");
    public static readonly Color Bolus = Color.FromHex("#7C3AED");
    public static readonly Color Basal = Color.FromHex("#0D9488");
    public static readonly Color BasalFill = Color.FromHex("#0D9488").WithAlpha(0.25);
    public static readonly Color Separator = Color.FromHex("#9CA3AF");

    /// <summary>The consensus thresholds (mg/dL) drawn as reference lines, with their colours.</summary>
    public static readonly IReadOnlyList<(double MgDl, Color Color)> Thresholds =
    [
        (54, Color.FromHex("#7F1D1D")),
        (70, Color.FromHex("#DC2626")),
        (180, Color.FromHex("#D97706")),
        (250, Color.FromHex("#9A3412")),
    ];

    public const double TargetLow = 70;
    public const double TargetHigh = 180;

    /// <summary>DejaVu Sans where it is installed (Debian's fonts-dejavu-core), the system's sans serif otherwise.</summary>
    public static readonly string FontName = Fonts.GetTypeface("DejaVu Sans", bold: false, italic: false)?.FamilyName == "DejaVu Sans" ? "DejaVu Sans" : Fonts.Sans;

    public static Color StatusColor(TargetStatus status) => status switch
    {
        TargetStatus.Met => Met,
        TargetStatus.NotMet => NotMet,
        _ => Muted,
    };

    public static Color AlarmColor(Proto.Alarm.Types.Severity severity) => severity switch
    {
        Proto.Alarm.Types.Severity.Critical => Color.FromHex("#991B1B"),
        Proto.Alarm.Types.Severity.Alarm => Color.FromHex("#DC2626"),
        Proto.Alarm.Types.Severity.Warning => Color.FromHex("#EA580C"),
        _ => Color.FromHex("#2563EB"),
    };

    public static Color FindingColor(Proto.Finding.Types.Severity severity) => severity switch
    {
        Proto.Finding.Types.Severity.Major => Color.FromHex("#991B1B"),
        Proto.Finding.Types.Severity.Significant => Color.FromHex("#DC2626"),
        Proto.Finding.Types.Severity.Warning => Color.FromHex("#C2410C"),
        _ => Ink,
    };

    /// <summary>A new plot in the report's font, drawn onto a shared page (so it must not clear it).</summary>
    public static Plot NewPlot()
    {
        var plot = new Plot();
        plot.RenderManager.ClearCanvasBeforeEachRender = false;
        plot.Font.Set(FontName);
        plot.FigureBackground.Color = Colors.White;
        return plot;
    }

    /// <summary>The width a text takes in the report's font, to cut what would not fit.</summary>
    public static float TextWidth(string text, float size, bool bold = false)
    {
        // ScottPlot caches its typefaces: this one is not ours to dispose.
        using var font = new SKFont(Fonts.GetTypeface(FontName, bold, italic: false), size);
        return font.MeasureText(text);
    }

    /// <summary>The text, cut with an ellipsis to fit the width.</summary>
    public static string Fit(string text, float size, float width, bool bold = false)
    {
        if (TextWidth(text, size, bold) <= width)
        {
            return text;
        }

        var length = text.Length;
        while (length > 0 && TextWidth(text[..length] + "…", size, bold) > width)
        {
            length--;
        }

        return text[..length].TrimEnd() + "…";
    }
}
