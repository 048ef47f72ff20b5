using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Cgms;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;

namespace PumpGateway.Cli.Commands;

/// <summary>
/// <c>pumpgw emulate &lt;device&gt;</c>: an emulated BLE device registered as a BlueZ peripheral
/// application, on a loopback's bus (<c>--bus</c>) or on the system bus, where a real bluetoothd
/// advertises it through the adapter, until Ctrl-C.
/// </summary>
internal static class EmulateCommand
{
    private const string SystemBus = "the system bus";

    /// <summary>One subcommand per emulated device.</summary>
    private static readonly Func<Option<string?>, Command>[] Devices =
    [
        Cgms,
        Ids,
    ];

    /// <summary>What an emulated device's start gives back: the device, to dispose on the way out, and how to describe it.</summary>
    internal delegate Task<(IAsyncDisposable Device, string Description)> EmulatorStart(ILogger logger, CancellationToken cancellationToken);

    public static Command Create()
    {
        var bus = new Option<string?>("--bus")
        {
            Description = "The D-Bus address of the bus bluetoothd (or pumpgw bluez-loopback) is on; the system bus when left out.",
            Recursive = true,
        };
        var command = new Command("emulate", "Run an emulated BLE device as a BlueZ peripheral until Ctrl-C.") { bus };
        foreach (var device in Devices)
        {
            command.Add(device(bus));
        }

        return command;
    }

    /// <summary>Starts one emulated device, says where it is, and keeps it registered until Ctrl-C or SIGTERM.</summary>
    internal static async Task<int> RunAsync(string? bus, EmulatorStart start, CancellationToken cancellationToken)
    {
        using var logging = BlueZLoopbackCommand.StandardErrorLogging();
        var where = bus ?? SystemBus;
        IAsyncDisposable device;
        string description;
        try
        {
            (device, description) = await start(logging.CreateLogger("pumpgw.emulate"), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"pumpgw: the emulated device could not register on {where}: {ex.Message}");
            return 1;
        }

        await using (device)
        {
            Console.WriteLine($"emulating {description} on {where}");
            Console.Error.WriteLine("pumpgw: Ctrl-C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: the device unregisters as it is disposed.
            }
        }

        Console.Error.WriteLine("pumpgw: the emulated device unregistered.");
        return 0;
    }

    internal static Option<int> DaysOption(int days) => new("--days")
    {
        Description = "Days of history the device holds.",
        DefaultValueFactory = _ => days,
        Validators = { result => { if (result.GetValueOrDefault<int>() < 1) { result.AddError("--days is at least 1."); } } },
    };

    internal static Option<TimeSpan> LiveIntervalOption()
    {
        var option = DurationOption.Create("--live-interval", "How often the device records and notifies a new reading. Each is 5 minutes of the wearer's time: a shorter interval moves the device's clock ahead of this machine's", TimeSpan.FromMinutes(5));
        option.Validators.Add(result => { if (result.GetValueOrDefault<TimeSpan>() <= TimeSpan.Zero) { result.AddError("--live-interval is above zero."); } });
        return option;
    }

    internal static Option<int> SeedOption() => new("--seed") { Description = "The emulated wearer (same seed, same glucose).", DefaultValueFactory = _ => 1 };

    /// <summary>A wearer whose history ends now, on this machine's local clock (the device's clock).</summary>
    internal static GlucoseScenario Scenario(int days, int seed)
    {
        var end = DateTime.SpecifyKind(DateTime.Now, DateTimeKind.Unspecified);
        return new GlucoseScenario(new GlucoseScenarioOptions { Seed = seed, Start = end.AddDays(-days), Duration = TimeSpan.FromDays(days) });
    }

    private static Command Cgms(Option<string?> bus)
    {
        var defaults = new CgmsSensorOptions();
        var name = new Option<string>("--name") { Description = "The advertised local name.", DefaultValueFactory = _ => defaults.LocalName };
        var serial = new Option<string>("--serial") { Description = "The Device Information serial number.", DefaultValueFactory = _ => defaults.SerialNumber };
        var days = DaysOption(2);
        var live = LiveIntervalOption();
        var noE2e = new Option<bool>("--no-e2e") { Description = "Values carry no E2E-CRC, and the CGM Feature says so." };
        var seed = SeedOption();
        var command = new Command("cgms", "A CGM sensor speaking the Continuous Glucose Monitoring Service, with Device Information and Battery; it refuses every write that would change it.")
        {
            name, serial, days, live, noE2e, seed,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(bus),
            async (logger, token) =>
            {
                var scenario = Scenario(parse.GetValue(days), parse.GetValue(seed));
                var options = defaults with
                {
                    LocalName = parse.GetRequiredValue(name),
                    SerialNumber = parse.GetRequiredValue(serial),
                    E2eCrc = !parse.GetValue(noE2e),
                    UtcOffset = TimeZoneInfo.Local.GetUtcOffset(DateTime.Now),
                };
                var sensor = await CgmsSensorEmulator.StartAsync(parse.GetValue(bus), scenario, options, logger, token);
                var interval = parse.GetValue(live);
                sensor.StartLive(scenario, interval);
                return (sensor, string.Create(
                    CultureInfo.InvariantCulture,
                    $"CGMS sensor \"{options.LocalName}\" (serial {options.SerialNumber}, E2E-CRC {(options.E2eCrc ? "on" : "off")}): {sensor.Records.Count} readings since its session started {sensor.SessionStartLocal:yyyy-MM-dd HH:mm}, a new one every {interval}"));
            },
            cancellationToken));
        return command;
    }

    private static Command Ids(Option<string?> bus)
    {
        var defaults = new IdsPumpOptions();
        var name = new Option<string>("--name") { Description = "The advertised local name.", DefaultValueFactory = _ => defaults.LocalName };
        var serial = new Option<string>("--serial") { Description = "The Device Information serial number.", DefaultValueFactory = _ => defaults.SerialNumber };
        var days = DaysOption(7);
        var noE2e = new Option<bool>("--no-e2e") { Description = "Values carry no E2E counter or CRC, and the IDD Features say so." };
        var seed = SeedOption();
        var command = new Command("ids", "An insulin pump speaking the Insulin Delivery Service, with Device Information and Battery, its therapy live on this machine's clock; it refuses every command that would change delivery.")
        {
            name, serial, days, noE2e, seed,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(bus),
            async (logger, token) =>
            {
                var now = DateTime.Now;
                var end = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
                var scenario = new TherapyScenario(new TherapyScenarioOptions { Seed = parse.GetValue(seed), Start = end.AddDays(-parse.GetValue(days)), Duration = TimeSpan.FromDays(parse.GetValue(days)) });
                var offset = TimeZoneInfo.Local.GetUtcOffset(now);
                var options = defaults with
                {
                    LocalName = parse.GetRequiredValue(name),
                    SerialNumber = parse.GetRequiredValue(serial),
                    Dialect = parse.GetValue(noE2e) ? IdsDialect.Specification : IdsDialect.SpecificationWithE2e,
                    UtcOffset = TimeSpan.FromMinutes(Math.Round(offset.TotalMinutes / 15) * 15),
                };
                var pump = await IdsPumpEmulator.StartAsync(parse.GetValue(bus), scenario, options, logger, token);
                return (pump, string.Create(
                    CultureInfo.InvariantCulture,
                    $"IDS pump \"{options.LocalName}\" (serial {options.SerialNumber}, E2E {(options.Dialect.E2eProtection ? "on" : "off")}): {pump.History.Count} history events over {parse.GetValue(days)} days, therapy going on live"));
            },
            cancellationToken));
        return command;
    }
}
