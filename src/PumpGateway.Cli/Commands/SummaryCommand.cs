using System.CommandLine;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PumpGateway.Cli.Commands.Report;
using Spectre.Console;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands;

/// <summary>Where to write the review page, and in which format.</summary>
internal sealed record ReportTarget(string Path, ReportFormat Format);

/// <summary>What <c>pumpgw summary</c> was asked, once read and checked.</summary>
internal sealed record SummaryOptions(string DeviceId, SummaryPeriod Period, ReportTarget? Report, bool Json);

/// <summary><c>pumpgw summary</c>: a device's therapy review for a period, as tables, JSON, and a page (SVG or PNG).</summary>
internal static class SummaryCommand
{
    /// <summary>Events per QueryHistory page: 14 days of 5-minute glucose and the pump's events take a few.</summary>
    private const uint PageSize = 5000;

    public static Command Create()
    {
        var device = new Argument<string>("device") { Description = "The device id (see `pumpgw devices`)." };
        var from = new Option<string?>("--from")
        {
            Description = "Start of the period: a date (yyyy-MM-dd, taken as midnight UTC, not the clinic's midnight) or an ISO timestamp "
                + "(2026-11-01T08:00+01:00; UTC without an offset). Default: 14 days before the end.",
        };
        var to = new Option<string?>("--to") { Description = "End of the period, exclusive, in the same forms (--to 2026-11-15 stops at the start of 15 November, UTC). Default: now." };
        var report = new Option<string?>("--report") { Description = "Also write the review page (AGP, daily traces, figures, findings; 1600×2000 px) to this file: .svg or .png." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON (the wire form) instead of tables." };
        var command = new Command("summary", "A device's therapy review for a period: glucose by the international consensus, insulin, alarms and findings.")
        {
            device, from, to, report, json, GatewayClient.ServerOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = Read(parse.GetRequiredValue(device), parse.GetValue(from), parse.GetValue(to), parse.GetValue(report), parse.GetValue(json), DateTimeOffset.UtcNow, out var problem);
            if (options is null)
            {
                await Console.Error.WriteLineAsync($"pumpgw summary: {problem}");
                return 2;
            }

            using var client = new GatewayClient(parse.GetRequiredValue(GatewayClient.ServerOption));
            return await RunAsync(
                options,
                client.Reports,
                client.Telemetry,
                AnsiConsole.Console,
                Console.Out,
                Console.Error,
                cancellationToken);
        });
        return command;
    }

    /// <summary>The options, checked before anything is asked of the gateway; null with the reason when they are wrong.</summary>
    public static SummaryOptions? Read(string deviceId, string? from, string? to, string? reportPath, bool json, DateTimeOffset now, out string problem)
    {
        if (!SummaryPeriod.TryParse(from, to, now, out var period, out problem))
        {
            return null;
        }

        ReportTarget? report = null;
        if (reportPath is not null)
        {
            if (SummaryReport.FormatOf(reportPath) is not { } format)
            {
                problem = $"--report: '{reportPath}' must end in .svg or .png (the format is taken from the extension).";
                return null;
            }

            report = new ReportTarget(reportPath, format);
        }

        return new SummaryOptions(deviceId, period, report, json);
    }

    /// <summary>Asks for the summary, prints it, and writes the page when asked. 0 when all went well, 1 when the gateway or the file failed.</summary>
    public static async Task<int> RunAsync(
        SummaryOptions options,
        Proto.ReportService.ReportServiceClient reports,
        Proto.TelemetryService.TelemetryServiceClient telemetry,
        IAnsiConsole console,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        var request = new Proto.GetSummaryRequest
        {
            DeviceId = options.DeviceId,
            From = Timestamp.FromDateTimeOffset(options.Period.From),
            To = Timestamp.FromDateTimeOffset(options.Period.To),
        };
        var summary = await ClientCommands.Call(() => reports.GetSummaryAsync(request, cancellationToken: cancellationToken).ResponseAsync, error);
        if (summary is null)
        {
            return 1;
        }

        if (options.Json)
        {
            await output.WriteLineAsync(JsonFormatter.Default.Format(summary));
        }
        else
        {
            SummaryTable.Write(console, summary);
        }

        if (options.Report is not { } report)
        {
            return 0;
        }

        if (SummaryReport.NoFonts)
        {
            await error.WriteLineAsync("pumpgw summary: no font is installed, the page will have no text (on Debian: apt-get install fonts-dejavu-core).");
        }

        var events = await ClientCommands.Call(() => ReadEventsAsync(telemetry, summary, cancellationToken), error);
        if (events is null)
        {
            return 1;
        }

        try
        {
            await File.WriteAllBytesAsync(report.Path, SummaryReport.Render(summary, events, report.Format), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"pumpgw summary: cannot write {report.Path}: {ex.Message}");
            return 1;
        }

        if (!options.Json)
        {
            console.MarkupLine($"report written to [bold]{Markup.Escape(report.Path)}[/]");
        }

        return 0;
    }

    /// <summary>
    /// The events the daily traces are drawn from, every page of them: the device's, and the
    /// glucose of its wearer's CGM when the summary's glucose comes from another device.
    /// </summary>
    public static async Task<IReadOnlyList<Proto.TelemetryEvent>> ReadEventsAsync(
        Proto.TelemetryService.TelemetryServiceClient telemetry,
        Proto.Summary summary,
        CancellationToken cancellationToken)
    {
        var events = new List<Proto.TelemetryEvent>();
        if (DayTrace.EventWindow(summary, ClinicClock.Of(summary)) is not { } window)
        {
            return events;
        }

        Proto.QueryHistoryRequest Request(string deviceId, IEnumerable<Proto.TelemetryKind> kinds)
        {
            var request = new Proto.QueryHistoryRequest
            {
                DeviceId = deviceId,
                From = Timestamp.FromDateTimeOffset(window.From),
                To = Timestamp.FromDateTimeOffset(window.To),
                PageSize = PageSize,
            };
            request.Kinds.AddRange(kinds);
            return request;
        }

        await ReadPagesAsync(telemetry, Request(summary.DeviceId, DayTrace.Kinds), events, cancellationToken);
        foreach (var cgm in summary.GlucoseDeviceIds.Where(id => id != summary.DeviceId))
        {
            await ReadPagesAsync(telemetry, Request(cgm, [Proto.TelemetryKind.Glucose]), events, cancellationToken);
        }

        return events;
    }

    private static async Task ReadPagesAsync(Proto.TelemetryService.TelemetryServiceClient telemetry, Proto.QueryHistoryRequest request, List<Proto.TelemetryEvent> events, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var page = await telemetry.QueryHistoryAsync(request, cancellationToken: cancellationToken);
            events.AddRange(page.Events);

            // A token handed out twice would page for ever.
            if (page.NextPageToken.Length > 0 && !seen.Add(page.NextPageToken))
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, $"QueryHistory returned page token '{page.NextPageToken}' twice."));
            }

            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
    }
}
