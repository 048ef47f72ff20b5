using ScottPlot;

namespace PumpGateway.Cli.Commands.Report;

/// <summary>
/// A block of text on the page, as a frameless ScottPlot plot whose units are its pixels (y down
/// from the top), so lines and columns are placed where the layout says.
/// </summary>
internal sealed class TextPanel
{
    public TextPanel(float width, float height)
    {
        Plot = ReportStyle.NewPlot();
        Plot.Layout.Frameless();
        Plot.HideGrid();
        Plot.Axes.SetLimits(0, width, height, 0);
    }

    public Plot Plot { get; }

    /// <summary>Writes a text with its top-left corner (or the corner the alignment names) at x, y.</summary>
    public void Write(double x, double y, string text, float size, Color color, bool bold = false, Alignment alignment = Alignment.UpperLeft)
    {
        var label = Plot.Add.Text(text, x, y);
        label.LabelFontName = ReportStyle.FontName;
        label.LabelFontSize = size;
        label.LabelBold = bold;
        label.LabelFontColor = color;
        label.Alignment = alignment;
        label.LabelPadding = 0;
    }
}
