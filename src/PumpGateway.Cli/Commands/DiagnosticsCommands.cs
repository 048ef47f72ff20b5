using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Spectre.Console;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands;

/// <summary>What a technician on call runs: one device's state of health, and the fleet's alarms as they happen.</summary>
internal static class DiagnosticsCommands
{
    private static readonly Option<bool> JsonOption = new("--json") { Description = "Print the wire form (JSON) instead of text." };

    public static Command Diagnose()
    {
        var device = new Argument<string>("device") { Description = "The device id (see `pumpgw devices`)." };
        var command = new Command("diagnose", "A device's state of health: identity, link, battery and reservoir with their trend, open alarms, findings, the last download.")
        {
            device, GatewayClient.ServerOption, JsonOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new GatewayClient(parse.GetRequiredValue(GatewayClient.ServerOption));
            var request = new Proto.GetDiagnosticsRequest { DeviceId = parse.GetRequiredValue(device) };
            var diagnostics = await ClientCommands.Call(() => client.Diagnostics.GetDiagnosticsAsync(request, cancellationToken: cancellationToken).ResponseAsync);
            if (diagnostics is null)
            {
                return 1;
            }

            if (parse.GetValue(JsonOption))
            {
                Console.WriteLine(JsonFormatter.Default.Format(diagnostics));
                return 0;
            }

            DiagnosticsText.Write(ConsoleOut(), diagnostics, DateTimeOffset.UtcNow);
            return 0;
        });
        return command;
    }

    public static Command Alarms()
    {
        var after = new Option<ulong>("--after") { Description = "Start after this sequence (0: every stored alarm first). Resume with the last sequence printed." };
        var command = new Command("alarms", "Stream the alarm transitions of every device, each with its episode (raised, acknowledged, cleared), until Ctrl-C.")
        {
            after, GatewayClient.ServerOption, JsonOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new GatewayClient(parse.GetRequiredValue(GatewayClient.ServerOption));
            var json = parse.GetValue(JsonOption);
            using var call = client.Diagnostics.WatchAlarms(new Proto.WatchAlarmsRequest { AfterSequence = parse.GetValue(after) }, cancellationToken: cancellationToken);
            var ok = await ClientCommands.Call(async () =>
            {
                await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (response.Update is { } update)
                    {
                        Console.WriteLine(json ? JsonFormatter.Default.Format(update) : DiagnosticsText.Line(update));
                    }
                }

                return true;
            });
            return ok ? 0 : 1;
        });
        return command;
    }

    /// <summary>A console on the current standard output (not the one Spectre captured at start-up), so that redirections made after start-up hold.</summary>
    private static IAnsiConsole ConsoleOut() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out), Interactive = InteractionSupport.No });
}

/// <summary>The technician's view of diagnostics as text.</summary>
internal static class DiagnosticsText
{
    public static void Write(IAnsiConsole console, Proto.Diagnostics diagnostics, DateTimeOffset now)
    {
        var device = diagnostics.Device;
        var identity = new Grid().AddColumns(2);
        Row(identity, "device", device.DeviceId);
        Row(identity, "model", $"{(device.ProductName.Length > 0 ? device.ProductName : device.Model)} ({device.Family}, {Category(device.Category)})");
        Row(identity, "firmware", device.FirmwareVersion.Length > 0 ? device.FirmwareVersion : "not reported");
        Row(identity, "docked", device.Docked ? $"yes, at {device.TransportEndpoint}" : $"no (last at {device.TransportEndpoint})");
        Row(identity, "last seen", $"{Time(device.LastSeen)} ({Ago(device.LastSeen, now)})");
        Row(identity, "clock offset", device.ClockOffset is null ? "not measured" : Signed(device.ClockOffset.ToTimeSpan()));
        Row(identity, "last download", device.Cursors.Count == 0 ? "none" : string.Join(", ", device.Cursors.Select(c => $"{c.Stream} at {c.Position} ({Time(c.Updated)})")));
        console.Write(new Panel(identity).Header("Device"));

        console.Write(new Panel(Link(diagnostics.Link, diagnostics.LastSession)).Header("Link, last 7 days of sessions"));

        var levels = new Grid().AddColumns(2);
        Row(levels, "battery", Level(diagnostics.Battery, now));
        Row(levels, "reservoir", Level(diagnostics.Reservoir, now));
        console.Write(new Panel(levels).Header("Battery and reservoir"));

        if (diagnostics.OpenAlarms.Count == 0)
        {
            console.MarkupLine("Open alarms: [green]none[/]");
        }
        else
        {
            var alarms = new Table().Title("Open alarms").AddColumns("kind", "severity", "raised", "acknowledged", "open for", "device code");
            foreach (var alarm in diagnostics.OpenAlarms)
            {
                alarms.AddRow(
                    Markup.Escape(alarm.Kind.ToString()), Markup.Escape(alarm.Severity.ToString()), Time(alarm.Raised),
                    alarm.Acknowledged is null ? "no" : Time(alarm.Acknowledged), Span(now - alarm.Raised.ToDateTimeOffset()),
                    Markup.Escape($"{alarm.VendorCode} {alarm.VendorText}".Trim()));
            }

            console.Write(alarms);
        }

        if (diagnostics.Findings.Count == 0)
        {
            console.MarkupLine("Findings: [green]none[/]");
            return;
        }

        // One line each: a finding's words are its point, and a table column would wrap them to a word a line.
        console.MarkupLine("[bold]Findings[/], most severe first:");
        foreach (var finding in diagnostics.Findings.OrderByDescending(f => f.Severity).ThenByDescending(f => f.To.ToDateTimeOffset()))
        {
            console.MarkupLine($"  {Severity(finding.Severity)}  {Markup.Escape(finding.Kind.ToString())}  {Time(finding.From)} – {Time(finding.To)}: {Markup.Escape(finding.Summary)}");
        }
    }

    public static string Line(Proto.AlarmUpdate update)
    {
        var e = update.Event;
        var text = string.Create(CultureInfo.InvariantCulture, $"#{e.Sequence,-7} {e.UtcTime.ToDateTimeOffset():yyyy-MM-dd HH:mm:ss}Z  {e.DeviceId}  {e.Alarm.Kind} {e.Alarm.Transition} ({e.Alarm.VendorCode})");
        if (update.Episode is not { } episode)
        {
            return text + "  closes nothing stored";
        }

        var state = episode.Open
            ? episode.Acknowledged is null ? "open" : $"open, acknowledged {Time(episode.Acknowledged)}"
            : episode.Cleared is null ? "superseded" : $"cleared after {Span(episode.Duration.ToTimeSpan())}";
        return $"{text}  episode raised {Time(episode.Raised)}: {state}";
    }

    private static Grid Link(Proto.LinkHealth link, Proto.TelemetryEvent? lastSession)
    {
        var grid = new Grid().AddColumns(2);
        var failed = link.FailedSessions > 0 ? $"[yellow]{link.FailedSessions} failed[/]" : "none failed";
        grid.AddRow("sessions", $"{link.Sessions} ({failed})");
        Row(grid, "retries", link.Retries.ToString(CultureInfo.InvariantCulture));
        Row(grid, "CRC errors", string.Create(CultureInfo.InvariantCulture, $"{link.CrcErrors} in {link.BytesIn:N0} bytes"));
        Row(grid, "timeouts, reopens", string.Create(CultureInfo.InvariantCulture, $"{link.Timeouts}, {link.Reopens}"));
        Row(grid, "signal", link.HasLastSignalStrength ? link.LastSignalStrength.ToString(CultureInfo.InvariantCulture) : "not reported");
        Row(grid, "clock error", link.LastClockError is null ? "not measured" : Signed(link.LastClockError.ToTimeSpan()));
        if (lastSession?.LinkReport is { } report)
        {
            Row(grid, "last session", $"{Time(lastSession.UtcTime)}, {Span(report.SessionLength.ToTimeSpan())}, {report.EndReason}");
        }

        return grid;
    }

    private static string Level(Proto.Level? level, DateTimeOffset now)
    {
        if (level is null)
        {
            return "not reported";
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{level.Value:0.##} {level.Unit} at {Time(level.ReadAt)}");
        if (level.HasPerDay)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {level.PerDay:+0.##;-0.##;0} {level.Unit}/day");
        }

        if (level.ProjectedEmpty is { } empty)
        {
            var left = empty.ToDateTimeOffset() - now;
            text += left > TimeSpan.Zero ? $", empty in about {Span(left)} ({Time(empty)})" : $", empty by {Time(empty)} at this rate";
        }

        return text;
    }

    private static void Row(Grid grid, string name, string value) => grid.AddRow(Markup.Escape(name), Markup.Escape(value));

    private static string Severity(Proto.Finding.Types.Severity severity) => severity switch
    {
        Proto.Finding.Types.Severity.Major => "[red bold]major      [/]",
        Proto.Finding.Types.Severity.Significant => "[red]significant[/]",
        Proto.Finding.Types.Severity.Warning => "[yellow]warning    [/]",
        _ => "info       ",
    };

    private static string Category(Proto.DeviceCategory category) => category switch
    {
        Proto.DeviceCategory.InsulinPump => "insulin pump",
        Proto.DeviceCategory.ContinuousGlucoseMonitor => "CGM",
        Proto.DeviceCategory.CgmReceiver => "CGM receiver",
        _ => "unknown kind",
    };

    private static string Time(Timestamp? time) =>
        time is null ? "" : time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Ago(Timestamp? time, DateTimeOffset now) => time is null ? "" : Span(now - time.ToDateTimeOffset()) + " ago";

    private static string Signed(TimeSpan span) => (span < TimeSpan.Zero ? "-" : "+") + Span(span.Duration(), seconds: true);

    /// <summary>A duration as a person says it: the two largest units (seconds only under a minute, or when asked).</summary>
    private static string Span(TimeSpan span, bool seconds = false)
    {
        span = span.Duration();
        return span.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays} d {span.Hours} h")
            : span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes} min")
            : span.TotalMinutes < 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} s")
            : seconds ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds} s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min");
    }
}
