using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PumpGateway.Ports;
using PumpGateway.Fakes.Dexcom;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Service.Hosting;
using Spectre.Console;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands;

/// <summary>
/// <c>pumpgw demo</c>: the gateway's main job on the embedded defaults. An emulated receiver on a
/// pseudo-terminal is docked, its history downloaded with a progress bar, and new readings
/// streamed over gRPC, until Ctrl-C.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "Where the gateway's gRPC endpoint listens.", DefaultValueFactory = _ => "127.0.0.1:50051" };
        var database = new Option<string?>("--db") { Description = "The SQLite database file (default: a new one in a temporary folder, deleted on exit)." };
        var days = new Option<int>("--days") { Description = "Days of history on the emulated receiver.", DefaultValueFactory = _ => 30 };
        var live = new Option<TimeSpan>("--live-interval") { Description = "How often the emulated receiver records a new reading (real ones: every 5 minutes).", DefaultValueFactory = _ => TimeSpan.FromSeconds(5) };
        var poll = new Option<TimeSpan>("--poll-interval") { Description = "How often the gateway reads the receiver again after the first download.", DefaultValueFactory = _ => TimeSpan.FromSeconds(5) };
        var seed = new Option<int>("--seed") { Description = "The emulated wearer (same seed, same glucose).", DefaultValueFactory = _ => 1 };
        var command = new Command("demo", "Run the gateway with an emulated Dexcom receiver docked on a pseudo-terminal, until Ctrl-C.") { listen, database, days, live, poll, seed };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(listen),
            parse.GetValue(database),
            parse.GetValue(days),
            parse.GetValue(live),
            parse.GetValue(poll),
            parse.GetValue(seed),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string listen, string? databasePath, int days, TimeSpan liveInterval, TimeSpan pollInterval, int seed, CancellationToken cancellationToken)
    {
        var folder = databasePath is null ? Directory.CreateTempSubdirectory("pumpgw-demo-").FullName : null;
        var dbFile = databasePath ?? Path.Combine(folder!, "pumpgateway.db");
        var now = DateTime.UtcNow;
        var scenario = new GlucoseScenario(new GlucoseScenarioOptions
        {
            Seed = seed,
            Start = DateTime.SpecifyKind(now.Date.AddDays(-days), DateTimeKind.Unspecified),
            Duration = now - now.Date.AddDays(-days),
        });
        var receiver = DexcomReceiverDatabase.FromScenario(scenario, "SM" + (40000000 + seed).ToString(CultureInfo.InvariantCulture), TimeSpan.FromHours(1));
        await using var emulator = DexcomReceiverEmulator.Start(receiver, new DexcomEmulatorOptions { DisplayOffset = TimeSpan.FromHours(1) });
        emulator.StartLive(scenario, liveInterval);
        AnsiConsole.MarkupLineInterpolated($"[bold]PumpGateway demo[/]: emulated Dexcom G4 receiver on [blue]{emulator.PortPath}[/] ({days} days of history), store [blue]{dbFile}[/], gRPC on [blue]{listen}[/]");

        var app = GatewayHost.Build([], new Dictionary<string, string?>
        {
            ["Gateway:Listen"] = listen,
            ["Gateway:Storage:SqlitePath"] = dbFile,
            ["Gateway:Serial:ScanUsb"] = "false",
            ["Gateway:Bluetooth:Enabled"] = "false",
            ["Gateway:Serial:Ports:0:Path"] = emulator.PortPath,
            ["Gateway:Serial:Ports:0:Family"] = "dexcom",
            ["Gateway:Drivers:PollInterval"] = pollInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Warning",
        },
        embedded: true);
        try
        {
            await app.StartAsync(cancellationToken);
            using var client = new GatewayClient(app.GetListenAddress());
            if (!await FollowDockAsync(client, cancellationToken))
            {
                return 1;
            }

            // From the head on: what was just downloaded is not printed again.
            var head = await app.Services.GetRequiredService<IEventStore>().GetHeadSequenceAsync(cancellationToken);

            AnsiConsole.MarkupLine("[grey]Streaming new readings over gRPC (Subscribe). In another terminal: ./pumpgw tail, ./pumpgw devices. Ctrl-C to stop.[/]");
            using var call = client.Telemetry.Subscribe(new Proto.SubscribeRequest { AfterSequence = (ulong)head }, cancellationToken: cancellationToken);
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (response.Event is { } e)
                {
                    Console.WriteLine(EventText.Line(e));
                }
            }

            return 0;
        }
        catch (Exception ex) when (ex is OperationCanceledException || (ex is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled))
        {
            return 0;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            if (folder is not null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Shows the dock, identify and first download as they happen; false if the stream ended first.</summary>
    private static async Task<bool> FollowDockAsync(GatewayClient client, CancellationToken cancellationToken)
    {
        using var watch = client.Devices.WatchDevices(new Proto.WatchDevicesRequest(), cancellationToken: cancellationToken);
        Proto.DownloadCompleted? completed = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask("waiting for the receiver to dock", maxValue: 1);
                await foreach (var e in watch.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    switch (e.EventCase)
                    {
                        case Proto.DeviceEvent.EventOneofCase.Docked:
                            bar.Description = $"docked on {Markup.Escape(e.Endpoint)}";
                            break;
                        case Proto.DeviceEvent.EventOneofCase.Identified:
                            var d = e.Identified.Device;
                            AnsiConsole.MarkupLineInterpolated($"identified [green]{d.ProductName}[/] firmware {d.FirmwareVersion} as device [bold]{d.DeviceId}[/], clock offset {(long)Math.Round(d.ClockOffset?.ToTimeSpan().TotalSeconds ?? 0)} s");
                            break;
                        case Proto.DeviceEvent.EventOneofCase.Progress:
                            bar.Description = $"downloading {e.Progress.Stream} ({e.Progress.EventsStored} events stored)";
                            bar.MaxValue = Math.Max(1, e.Progress.Total);
                            bar.Value = e.Progress.Done;
                            break;
                        case Proto.DeviceEvent.EventOneofCase.Completed:
                            bar.Value = bar.MaxValue;
                            bar.Description = "history downloaded";
                            completed = e.Completed;
                            return;
                        case Proto.DeviceEvent.EventOneofCase.Disconnected:
                            AnsiConsole.MarkupLineInterpolated($"[red]disconnected[/]: {e.Disconnected.Reason}");
                            break;
                    }
                }
            });
        if (completed is null)
        {
            return false;
        }

        AnsiConsole.MarkupLineInterpolated($"[green]downloaded[/] {completed.UnitsRead} pages, {completed.EventsStored} events stored in {completed.Elapsed.ToTimeSpan().TotalSeconds:0.00} s");
        return true;
    }
}
