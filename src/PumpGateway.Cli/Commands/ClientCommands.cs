using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Spectre.Console;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands;

/// <summary>Commands that talk to a running gateway over gRPC.</summary>
internal static class ClientCommands
{
    private static readonly Option<bool> JsonOption = new("--json") { Description = "Print each item as one line of JSON (the wire form) instead of text." };

    public static Command Devices()
    {
        var command = new Command("devices", "List the devices the gateway knows, docked or not.") { GatewayClient.ServerOption, JsonOption };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new GatewayClient(parse.GetRequiredValue(GatewayClient.ServerOption));
            var response = await Call(() => client.Devices.ListDevicesAsync(new Proto.ListDevicesRequest(), cancellationToken: cancellationToken).ResponseAsync);
            if (response is null)
            {
                return 1;
            }

            if (parse.GetValue(JsonOption))
            {
                Console.WriteLine(JsonFormatter.Default.Format(response));
                return 0;
            }

            var table = new Table().AddColumns("device", "model", "firmware", "docked", "endpoint", "last seen", "clock offset", "cursors");
            foreach (var d in response.Devices)
            {
                table.AddRow(
                    Markup.Escape(d.DeviceId),
                    Markup.Escape(d.ProductName.Length > 0 ? d.ProductName : d.Model),
                    Markup.Escape(d.FirmwareVersion),
                    d.Docked ? "[green]yes[/]" : "no",
                    Markup.Escape(d.TransportEndpoint),
                    d.LastSeen?.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) ?? "",
                    d.ClockOffset is null ? "" : d.ClockOffset.ToTimeSpan().TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s",
                    Markup.Escape(string.Join(", ", d.Cursors.Select(c => $"{c.Stream}:{c.Position}"))));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    public static Command Download()
    {
        var device = new Argument<string>("device") { Description = "The device id (see `pumpgw devices`)." };
        var command = new Command("download", "Download what is new from a docked device, with a progress bar.") { device, GatewayClient.ServerOption };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new GatewayClient(parse.GetRequiredValue(GatewayClient.ServerOption));
            using var call = client.Devices.DownloadHistory(new Proto.DownloadHistoryRequest { DeviceId = parse.GetRequiredValue(device) }, cancellationToken: cancellationToken);
            Proto.DownloadCompleted? completed = null;
            var ok = await Call(() => AnsiConsole.Progress().AutoClear(false).StartAsync(async progress =>
            {
                var bar = progress.AddTask("download", maxValue: 1);
                await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (response.Progress is { } p)
                    {
                        bar.Description = $"{p.Stream} ({p.EventsStored} new)";
                        bar.MaxValue = Math.Max(1, p.Total);
                        bar.Value = p.Done;
                    }
                    else if (response.Completed is { } c)
                    {
                        bar.Value = bar.MaxValue;
                        completed = c;
                    }
                }

                return true;
            }));
            if (!ok || completed is null)
            {
                return 1;
            }

            AnsiConsole.MarkupLineInterpolated($"[green]done[/]: {completed.UnitsRead} pages read, {completed.EventsStored} new events, {completed.Duplicates} already stored, {completed.Elapsed.ToTimeSpan().TotalSeconds:0.0} s");
            return 0;
        });
        return command;
    }

    public static Command Tail()
    {
        var after = new Option<ulong>("--after") { Description = "Start after this sequence (0: from the beginning of the history)." };
        var device = new Option<string>("--device") { Description = "Only this device." };
        var command = new Command("tail", "Stream telemetry as it is stored (stored events after --after first), until Ctrl-C.") { after, device, GatewayClient.ServerOption, JsonOption };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new GatewayClient(parse.GetRequiredValue(GatewayClient.ServerOption));
            var json = parse.GetValue(JsonOption);
            var request = new Proto.SubscribeRequest { AfterSequence = parse.GetValue(after), DeviceId = parse.GetValue(device) ?? "" };
            using var call = client.Telemetry.Subscribe(request, cancellationToken: cancellationToken);
            var ok = await Call(async () =>
            {
                await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (response.Event is { } e)
                    {
                        Console.WriteLine(json ? JsonFormatter.Default.Format(e) : EventText.Line(e));
                    }
                }

                return true;
            });
            return ok ? 0 : 1;
        });
        return command;
    }

    public static Command History()
    {
        var device = new Argument<string>("device") { Description = "The device id." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "From this time (inclusive), e.g. 2026-11-01T00:00Z." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "To this time (exclusive)." };
        var command = new Command("history", "Print a device's stored history for a period.") { device, from, to, GatewayClient.ServerOption, JsonOption };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new GatewayClient(parse.GetRequiredValue(GatewayClient.ServerOption));
            var json = parse.GetValue(JsonOption);
            var request = new Proto.QueryHistoryRequest { DeviceId = parse.GetRequiredValue(device) };
            if (parse.GetValue(from) is { } f)
            {
                request.From = Timestamp.FromDateTimeOffset(f);
            }

            if (parse.GetValue(to) is { } t)
            {
                request.To = Timestamp.FromDateTimeOffset(t);
            }

            var ok = await Call(async () =>
            {
                do
                {
                    var page = await client.Telemetry.QueryHistoryAsync(request, cancellationToken: cancellationToken);
                    foreach (var e in page.Events)
                    {
                        Console.WriteLine(json ? JsonFormatter.Default.Format(e) : EventText.Line(e));
                    }

                    request.PageToken = page.NextPageToken;
                }
                while (request.PageToken.Length > 0);
                return true;
            });
            return ok ? 0 : 1;
        });
        return command;
    }

    /// <summary>Runs a call, turning a gRPC failure into a readable message (on <paramref name="error"/>, standard error by default) instead of a stack trace.</summary>
    public static async Task<T?> Call<T>(Func<Task<T>> call, TextWriter? error = null)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            var hint = ex.StatusCode switch
            {
                StatusCode.Unavailable => " Is the gateway running (pumpgw demo, or the service) at --server?",
                StatusCode.Unimplemented => " This gateway does not serve that call yet.",
                _ => "",
            };
            await (error ?? Console.Error).WriteLineAsync($"pumpgw: {ex.StatusCode}: {ex.Status.Detail}{hint}");
            return default;
        }
        catch (RpcException)
        {
            return default;
        }
    }
}
