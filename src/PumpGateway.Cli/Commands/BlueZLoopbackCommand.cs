using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PumpGateway.Fakes.BlueZ;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace PumpGateway.Cli.Commands;

/// <summary>
/// <c>pumpgw bluez-loopback</c>: the BlueZ loopback on a private dbus-daemon, as a program of its
/// own. A BlueZ peripheral application (ours, or any written for bluetoothd) registers on it when
/// started with DBUS_SYSTEM_BUS_ADDRESS set to the address printed, and the gateway reads it with
/// <c>--Gateway:Bluetooth:BusAddress</c> set to the same: BLE end to end, without a radio.
/// </summary>
internal static class BlueZLoopbackCommand
{
    /// <summary>What the address line on standard output starts with: dbus-python and sd-bus peripherals find the system bus through it.</summary>
    public const string AddressVariable = "DBUS_SYSTEM_BUS_ADDRESS";


    public static Command Create()
    {
        var busDirectory = new Option<DirectoryInfo>("--bus-dir")
        {
            Description = "The folder the bus socket's own folder is made in (default: the temporary folder). A socket path is at most 107 bytes: keep it short.",
        };
        busDirectory.AcceptExistingOnly();
        var command = new Command(
            "bluez-loopback",
            $"Run a stand-in for bluetoothd on a private D-Bus bus until Ctrl-C. Prints {AddressVariable}=<address> on standard output; start BlueZ peripherals with that variable set, and the gateway with --Gateway:Bluetooth:BusAddress=<address>.")
        {
            busDirectory,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(busDirectory), cancellationToken));
        return command;
    }

    /// <summary>Logs go to standard error, so that standard output carries only what a script reads.</summary>
    internal static ILoggerFactory StandardErrorLogging() => new SerilogLoggerFactory(
        new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                formatProvider: CultureInfo.InvariantCulture,
                standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger(),
        dispose: true);

    private static async Task<int> RunAsync(DirectoryInfo? busDirectory, CancellationToken cancellationToken)
    {
        using var logging = StandardErrorLogging();
        try
        {
            await using var bus = await StartBusAsync(busDirectory, cancellationToken);
            await using var loopback = await BlueZLoopback.StartAsync(bus.Address, logging.CreateLogger("pumpgw.bluez-loopback"), cancellationToken);
            Console.WriteLine($"{AddressVariable}={bus.Address}");
            Console.Error.WriteLine($"""
                pumpgw: a BlueZ loopback (adapter {BlueZLoopback.AdapterPath}) runs on a private bus, dbus-daemon pid {bus.ProcessId}, until Ctrl-C.
                  A BlueZ peripheral registers on it when started with {AddressVariable}={bus.Address}
                  (or: pumpgw emulate cgms --bus {bus.Address}).
                  The gateway reads it with --Gateway:Bluetooth:BusAddress={bus.Address}
                """);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM: the loopback, then the dbus-daemon, have been stopped on the way out.
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"pumpgw: the BlueZ loopback could not start: {ex.Message}");
            return 1;
        }

        Console.Error.WriteLine("pumpgw: the BlueZ loopback and its dbus-daemon stopped.");
        return 0;
    }

    private static Task<PrivateDBusDaemon> StartBusAsync(DirectoryInfo? busDirectory, CancellationToken cancellationToken) =>
        PrivateDBusDaemon.StartAsync(cancellationToken, busDirectory?.FullName);
}
