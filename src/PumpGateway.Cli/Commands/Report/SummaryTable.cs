using Spectre.Console;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands.Report;

/// <summary>The summary as tables on a console: what <c>pumpgw summary</c> prints.</summary>
internal static class SummaryTable
{
    public static void Write(IAnsiConsole console, Proto.Summary summary)
    {
        var clock = ClinicClock.Of(summary);
        console.MarkupLine($"[bold]Summary of {Markup.Escape(summary.DeviceId)}[/]: {Markup.Escape(SummaryFigures.Period(summary, clock))}");

        if (summary.Glucose is { } glucose)
        {
            var table = new Table().Title("glucose").AddColumns("figure", "value", "target", "status");
            table.AddRow("Data for a report", Markup.Escape(SummaryFigures.Sufficiency(summary)), "≥ 14 days, ≥ 70 % wear", Status(glucose.Sufficient ? TargetStatus.Met : TargetStatus.NotMet));
            foreach (var line in SummaryFigures.Glucose(glucose))
            {
                table.AddRow(Markup.Escape(line.Label), Markup.Escape(line.Value), Markup.Escape(line.Target), Status(line.Status));
            }

            console.Write(table);
        }
        else
        {
            console.MarkupLine("glucose: [grey]no sensor glucose in the period[/]");
        }

        if (summary.Insulin is { } insulin)
        {
            var table = new Table().Title("insulin").AddColumns("figure", "value");
            foreach (var line in SummaryFigures.Insulin(insulin, summary.SetChanges))
            {
                table.AddRow(Markup.Escape(line.Label), Markup.Escape(line.Value));
            }

            console.Write(table);
            if (insulin.Days.Count > 0)
            {
                var days = new Table().Title("insulin by day").AddColumns("day", "basal", "bolus", "total", "source");
                foreach (var day in insulin.Days)
                {
                    days.AddRow(
                        Markup.Escape(day.Day),
                        Markup.Escape(SummaryFigures.Units(day.Basal)),
                        Markup.Escape(SummaryFigures.Units(day.Bolus)),
                        Markup.Escape(SummaryFigures.Units(day.Total)),
                        day.Source == Proto.DailyInsulin.Types.Source.PumpTotal ? "pump total" : "computed");
                }

                console.Write(days);
            }
        }
        else
        {
            console.MarkupLine("insulin: [grey]no insulin recorded in the period[/]");
        }

        if (summary.Alarms.Count > 0)
        {
            var table = new Table().Title("alarms").AddColumns("alarm", "episodes");
            foreach (var alarm in SummaryFigures.AlarmsByCount(summary))
            {
                table.AddRow(Markup.Escape(SummaryFigures.AlarmKind(alarm.Kind)), alarm.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Write(table);
        }
        else
        {
            console.MarkupLine("alarms: none");
        }

        if (summary.Findings.Count > 0)
        {
            var table = new Table().Title("findings").AddColumns("severity", "finding", "when", "summary");
            foreach (var finding in SummaryFigures.FindingsBySeverity(summary))
            {
                table.AddRow(
                    Severity(finding.Severity),
                    Markup.Escape(SummaryFigures.FindingKind(finding.Kind)),
                    Markup.Escape(clock.FormatSpan(finding.From, finding.To)),
                    Markup.Escape(finding.Summary));
            }

            console.Write(table);
        }
        else
        {
            console.MarkupLine("findings: none");
        }
    }

    private static string Status(TargetStatus status) => status switch
    {
        TargetStatus.Met => "[green]met[/]",
        TargetStatus.NotMet => "[red]not met[/]",
        TargetStatus.NoData => "[grey]no data[/]",
        _ => "",
    };

    private static string Severity(Proto.Finding.Types.Severity severity)
    {
        var text = Markup.Escape(SummaryFigures.Severity(severity));
        return severity switch
        {
            Proto.Finding.Types.Severity.Major => $"[red bold]{text}[/]",
            Proto.Finding.Types.Severity.Significant => $"[red]{text}[/]",
            Proto.Finding.Types.Severity.Warning => $"[yellow]{text}[/]",
            _ => text,
        };
    }
}
