using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PumpGateway.Devices;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.BlueZ;
using PumpGateway.Fakes.Cgms;
using PumpGateway.Fakes.Dexcom;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Medtronic;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Ports;
using PumpGateway.Service.Hosting;
using Spectre.Console;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands;

/// <summary>
/// <c>pumpgw demo</c>: the gateway's main job on the embedded defaults. An emulated Dexcom
/// receiver and an emulated CareLink stick with a Paradigm pump behind it, each on a
/// pseudo-terminal, and an emulated IDS insulin pump and CGMS sensor (one wearer) registered as
/// BlueZ peripherals on a private bus with the BlueZ loopback, are found, their histories
/// downloaded with progress bars, and their new telemetry streamed over gRPC, until Ctrl-C.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "Where the gateway's gRPC endpoint listens.", DefaultValueFactory = _ => "127.0.0.1:50051" };
        var database = new Option<string?>("--db") { Description = "The SQLite database file (default: a new one in a temporary folder, deleted on exit)." };
        var days = new Option<int>("--days") { Description = "Days of history on the emulated devices.", DefaultValueFactory = _ => 30 };
        var live = DurationOption.Create("--live-interval", "How often the emulated receiver records a new reading (real ones: every 5 minutes)", TimeSpan.FromSeconds(5));
        var poll = DurationOption.Create("--poll-interval", "How often the gateway reads each device again after the first download (a receiver over USB has no notifications: this is how often its new readings show)", TimeSpan.FromSeconds(5));
        var seed = new Option<int>("--seed") { Description = "The emulated wearers (same seed, same data).", DefaultValueFactory = _ => 1 };
        var bluezBus = new Option<string?>("--bluez-bus") { Description = "Use this D-Bus (bluetoothd's, or a `pumpgw bluez-loopback`) instead of starting a private one with the loopback; any IDS or CGMS peripheral on it is read too." };
        var alarmEvery = DurationOption.Create("--alarm-every", "How often the emulated pump raises an alarm, cleared half that time later; 0 for never", TimeSpan.FromMinutes(2));
        var command = new Command("demo", "Run the gateway with an emulated Dexcom receiver and a Paradigm pump behind a CareLink stick (serial, on pseudo-terminals) and an emulated IDS pump and CGMS sensor (Bluetooth LE, through BlueZ), until Ctrl-C.")
        {
            listen, database, days, live, poll, seed, bluezBus, alarmEvery,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new DemoSettings(
                parse.GetRequiredValue(listen),
                parse.GetValue(database),
                parse.GetValue(days),
                parse.GetValue(live),
                parse.GetValue(poll),
                parse.GetValue(seed),
                parse.GetValue(bluezBus),
                parse.GetValue(alarmEvery)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(DemoSettings settings, CancellationToken cancellationToken)
    {
        var folder = settings.DatabasePath is null ? Directory.CreateTempSubdirectory("pumpgw-demo-").FullName : null;
        var dbFile = settings.DatabasePath ?? Path.Combine(folder!, "pumpgateway.db");
        await using var stack = new AsyncDisposables();
        try
        {
            var receiver = StartReceiver(settings);
            stack.Add(receiver);
            var paradigm = stack.Add(StartParadigmPump(settings));
            var stick = stack.Add(CareLinkStickEmulator.Start(paradigm));

            var bus = settings.BluezBus;
            if (bus is null)
            {
                var daemon = stack.Add(await PrivateDBusDaemon.StartAsync(cancellationToken));
                stack.Add(await BlueZLoopback.StartAsync(daemon.Address, cancellationToken: cancellationToken));
                bus = daemon.Address;
            }

            var wearer = Wearer(settings);
            var pump = stack.Add(await IdsPumpEmulator.StartAsync(bus, wearer.Therapy, new IdsPumpOptions { UtcOffset = LocalOffset() }, cancellationToken: cancellationToken));
            var sensor = stack.Add(await CgmsSensorEmulator.StartAsync(bus, wearer.Glucose, new CgmsSensorOptions { UtcOffset = LocalOffset() }, cancellationToken: cancellationToken));
            sensor.StartLive(wearer.Glucose, wearer.Options.GlucoseInterval);
            if (settings.AlarmEvery > TimeSpan.Zero)
            {
                stack.Add(new PumpAlarms(pump, settings.AlarmEvery));
            }

            AnsiConsole.MarkupLineInterpolated($"[bold]PumpGateway demo[/]: {settings.Days} days of history on an emulated Dexcom G4 receiver on [blue]{receiver.PortPath}[/], a Paradigm {paradigm.Model.Number} pump behind a CareLink stick on [blue]{stick.PortPath}[/], an IDS pump [blue]{pump.Options.LocalName}[/] and a CGMS sensor [blue]{sensor.Options.LocalName}[/] on {(settings.BluezBus is null ? "a private BlueZ loopback" : "the BlueZ bus given")}; store [blue]{dbFile}[/], gRPC on [blue]{settings.Listen}[/]");

            var configuration = Configuration(settings, dbFile, receiver.PortPath, stick.PortPath, paradigm.Serial, bus);

            // The IDS pump and the CGMS sensor are worn by the same simulated person.
            configuration["Gateway:Wearers:0:Devices:0"] = DeviceId.FromSerial("ids", pump.Options.SerialNumber).Value;
            configuration["Gateway:Wearers:0:Devices:1"] = DeviceId.FromSerial("cgms", sensor.Options.SerialNumber).Value;
            var app = GatewayHost.Build([], configuration, embedded: true);
            await using (app)
            {
                await app.StartAsync(cancellationToken);
                try
                {
                    return await StreamAsync(app, cancellationToken);
                }
                finally
                {
                    await app.StopAsync(CancellationToken.None);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || (ex is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled))
        {
            return 0;
        }
        finally
        {
            await stack.DisposeAsync();
            if (folder is not null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static DexcomReceiverEmulator StartReceiver(DemoSettings settings)
    {
        var now = DateTime.UtcNow;
        var scenario = new GlucoseScenario(new GlucoseScenarioOptions
        {
            Seed = settings.Seed,
            Start = DateTime.SpecifyKind(now.Date.AddDays(-settings.Days), DateTimeKind.Unspecified),
            Duration = now - now.Date.AddDays(-settings.Days),
        });
        var database = DexcomReceiverDatabase.FromScenario(scenario, "SM" + (40000000 + settings.Seed).ToString(CultureInfo.InvariantCulture), TimeSpan.FromHours(1));
        var emulator = DexcomReceiverEmulator.Start(database, new DexcomEmulatorOptions { DisplayOffset = TimeSpan.FromHours(1) });
        emulator.StartLive(scenario, settings.LiveInterval);
        return emulator;
    }

    /// <summary>
    /// A second person's Paradigm 554 with its integrated CGM (a 5-minute sensor), its clock on
    /// local time as a pump's is, recording live from where its history ends.
    /// </summary>
    private static ParadigmPumpEmulator StartParadigmPump(DemoSettings settings)
    {
        var wearer = new Wearer(Therapy(settings.Seed + 1, settings.Days, TimeSpan.FromMinutes(5)));
        var pump = ParadigmPumpEmulator.FromWearer(wearer, new ParadigmPumpOptions { ClockOffset = LocalOffset() });
        pump.StartLive();
        return pump;
    }

    /// <summary>The pump wearer whose history ends now on this machine's clock; a CGM reading every minute, as today's sensors give.</summary>
    private static Wearer Wearer(DemoSettings settings) => new(Therapy(settings.Seed, settings.Days, TimeSpan.FromMinutes(1)));

    private static TherapyScenarioOptions Therapy(int seed, int days, TimeSpan glucoseInterval)
    {
        var now = DateTime.Now;
        var end = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
        return new TherapyScenarioOptions
        {
            Seed = seed,
            Start = end.AddDays(-days),
            Duration = TimeSpan.FromDays(days),
            GlucoseInterval = glucoseInterval,
        };
    }

    private static TimeSpan LocalOffset()
    {
        var offset = TimeZoneInfo.Local.GetUtcOffset(DateTime.Now);
        return TimeSpan.FromMinutes(Math.Round(offset.TotalMinutes / 15) * 15);
    }

    private static Dictionary<string, string?> Configuration(DemoSettings settings, string dbFile, string receiverPort, string stickPort, string pumpSerial, string bus) => new()
    {
        ["Gateway:Listen"] = settings.Listen,
        ["Gateway:Storage:SqlitePath"] = dbFile,
        ["Gateway:Serial:ScanUsb"] = "false",
        ["Gateway:Serial:Ports:0:Path"] = receiverPort,
        ["Gateway:Serial:Ports:0:Family"] = "dexcom",
        ["Gateway:Serial:Ports:1:Path"] = stickPort,
        ["Gateway:Serial:Ports:1:Family"] = "medtronic",
        ["Gateway:Drivers:Medtronic:PumpSerials:0"] = pumpSerial,
        ["Gateway:Bluetooth:Enabled"] = "true",
        ["Gateway:Bluetooth:BusAddress"] = bus,
        ["Gateway:Drivers:PollInterval"] = settings.PollInterval.ToString("c", CultureInfo.InvariantCulture),
        ["Serilog:MinimumLevel:Default"] = "Warning",
        ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Warning",
    };

    private static async Task<int> StreamAsync(WebApplication app, CancellationToken cancellationToken)
    {
        using var client = new GatewayClient(app.GetListenAddress());
        if (!await FollowDocksAsync(client, expected: 4, cancellationToken))
        {
            return 1;
        }

        // From the head on: what was just downloaded is not printed again.
        var head = await app.Services.GetRequiredService<IEventStore>().GetHeadSequenceAsync(cancellationToken);
        AnsiConsole.MarkupLine("[grey]Streaming new telemetry over gRPC (Subscribe). In another terminal: ./pumpgw tail, ./pumpgw devices. Ctrl-C to stop.[/]");
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

    /// <summary>
    /// Shows each device as it is found, identified and downloaded, a progress bar each; returns
    /// once <paramref name="expected"/> devices have finished a first download (false if the stream ended first).
    /// </summary>
    private static async Task<bool> FollowDocksAsync(GatewayClient client, int expected, CancellationToken cancellationToken)
    {
        using var watch = client.Devices.WatchDevices(new Proto.WatchDevicesRequest(), cancellationToken: cancellationToken);
        var completed = new Dictionary<string, Proto.DownloadCompleted>(StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                ProgressTask Bar(string endpoint)
                {
                    if (!bars.TryGetValue(endpoint, out var bar))
                    {
                        bars[endpoint] = bar = progress.AddTask(Markup.Escape(endpoint), maxValue: 1);
                    }

                    return bar;
                }

                await foreach (var e in watch.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    var bar = Bar(e.Endpoint);
                    var name = names.GetValueOrDefault(e.Endpoint, e.Endpoint);
                    switch (e.EventCase)
                    {
                        case Proto.DeviceEvent.EventOneofCase.Docked:
                            bar.Description = Markup.Escape($"{e.Endpoint}: connecting");
                            break;
                        case Proto.DeviceEvent.EventOneofCase.Identified:
                            var d = e.Identified.Device;
                            names[e.Endpoint] = name = $"{d.ProductName} ({e.Endpoint})";
                            bar.Description = Markup.Escape($"{name}: identified");
                            break;
                        case Proto.DeviceEvent.EventOneofCase.Progress:
                            bar.Description = Markup.Escape($"{name}: {e.Progress.Stream}, {e.Progress.EventsStored} events stored");
                            bar.MaxValue = Math.Max(1, e.Progress.Total);
                            bar.Value = e.Progress.Done;
                            break;
                        case Proto.DeviceEvent.EventOneofCase.Completed:
                            bar.Value = bar.MaxValue;
                            bar.Description = Markup.Escape($"{name}: {e.Completed.EventsStored} events in {e.Completed.Elapsed.ToTimeSpan().TotalSeconds:0.00} s");
                            completed.TryAdd(e.Endpoint, e.Completed);
                            if (completed.Count >= expected)
                            {
                                return;
                            }

                            break;
                        case Proto.DeviceEvent.EventOneofCase.Disconnected:
                            bar.Description = Markup.Escape($"{name}: disconnected ({e.Disconnected.Reason}), trying again");
                            break;
                    }
                }
            });
        if (completed.Count < expected)
        {
            return false;
        }

        foreach (var (endpoint, done) in completed)
        {
            AnsiConsole.MarkupLineInterpolated($"[green]downloaded[/] {names.GetValueOrDefault(endpoint, endpoint)}: {done.UnitsRead} pages or records read, {done.EventsStored} events stored in {done.Elapsed.ToTimeSpan().TotalSeconds:0.00} s");
        }

        return true;
    }

    private sealed record DemoSettings(string Listen, string? DatabasePath, int Days, TimeSpan LiveInterval, TimeSpan PollInterval, int Seed, string? BluezBus, TimeSpan AlarmEvery);

    /// <summary>Raises an alarm on the emulated pump every so often and confirms it half that time later: occlusion, reservoir low, battery low in turn.</summary>
    private sealed class PumpAlarms : IAsyncDisposable
    {
        private static readonly IdsAnnunciationType[] Kinds = [IdsAnnunciationType.OcclusionDetected, IdsAnnunciationType.ReservoirLow, IdsAnnunciationType.BatteryLow];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public PumpAlarms(IdsPumpEmulator pump, TimeSpan every) => _loop = Task.Run(async () =>
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                await Task.Delay(every / 2, _stop.Token);
                var raised = pump.RaiseAnnunciation(Kinds[i % Kinds.Length]);
                await Task.Delay(every / 2, _stop.Token);
                pump.ConfirmAnnunciation(raised.InstanceId);
            }
        });

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped between two alarms.
            }

            _stop.Dispose();
        }
    }

    /// <summary>What the demo started, stopped in the reverse order.</summary>
    private sealed class AsyncDisposables : IAsyncDisposable
    {
        private readonly Stack<IAsyncDisposable> _items = new();

        public T Add<T>(T item)
            where T : IAsyncDisposable
        {
            _items.Push(item);
            return item;
        }

        public async ValueTask DisposeAsync()
        {
            while (_items.TryPop(out var item))
            {
                await item.DisposeAsync();
            }
        }
    }
}
