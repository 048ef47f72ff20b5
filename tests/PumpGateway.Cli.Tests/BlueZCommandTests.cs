using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Cli.Commands;
using PumpGateway.Devices.Cgms;
using PumpGateway.Devices.Gatt;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.BlueZ;
using PumpGateway.Ports;
using PumpGateway.Transports.Bluetooth;

namespace PumpGateway.Cli.Tests;

/// <summary>
/// <c>pumpgw bluez-loopback</c> and <c>pumpgw emulate cgms</c> run as child processes, as a user
/// runs them, and met by the gateway's own BlueZ client and transport over the printed bus address.
/// </summary>
[Collection("Console")]
public sealed partial class BlueZCommandTests
{
    private static readonly TimeSpan Timeout = PumpgwProcess.Timeout;

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task The_loopback_prints_its_bus_address_serves_the_gateway_client_and_takes_its_dbus_daemon_down_when_stopped(string signal)
    {
        var folder = ShortTemporaryFolder();
        try
        {
            await using var loopback = PumpgwProcess.Start("bluez-loopback", "--bus-dir", folder);
            var (address, daemon) = await AddressAndDaemonAsync(loopback);
            Assert.StartsWith($"unix:path={folder}/", address, StringComparison.Ordinal);
            Assert.True(PumpgwProcess.Runs(daemon));

            var client = await BlueZClient.ConnectAsync(new BlueZClientOptions { BusAddress = address }, NullLoggerFactory.Instance, CancellationToken.None).WaitAsync(Timeout);
            try
            {
                Assert.Equal(BlueZLoopback.AdapterPath, client.AdapterPath);
                Assert.Empty(client.Devices);

                Assert.Equal(0, await loopback.StopAsync(signal));
                await client.Disconnected.WaitAsync(Timeout);
            }
            finally
            {
                await client.DisposeAsync().AsTask().WaitAsync(Timeout);
            }

            Assert.Contains("the BlueZ loopback and its dbus-daemon stopped", loopback.Error, StringComparison.Ordinal);
            Assert.False(PumpgwProcess.Runs(daemon));
            Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_emulated_cgms_sensor_on_a_loopback_is_discovered_and_read_through_the_gateway_transport()
    {
        var folder = ShortTemporaryFolder();
        try
        {
            await EmulateCgmsOnALoopbackAsync(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task EmulateCgmsOnALoopbackAsync(string folder)
    {
        await using var loopback = PumpgwProcess.Start("bluez-loopback", "--bus-dir", folder);
        var (address, _) = await AddressAndDaemonAsync(loopback);
        await using var sensor = PumpgwProcess.Start("emulate", "cgms", "--bus", address, "--name", "CGM cli-1", "--serial", "CLI-0042", "--days", "1", "--no-e2e");
        var ready = await sensor.ReadLineAsync(line => line.StartsWith("emulating ", StringComparison.Ordinal));
        Assert.Contains("\"CGM cli-1\"", ready, StringComparison.Ordinal);
        Assert.EndsWith(" on " + address, ready, StringComparison.Ordinal);

        var client = await BlueZClient.ConnectAsync(new BlueZClientOptions { BusAddress = address }, NullLoggerFactory.Instance, CancellationToken.None).WaitAsync(Timeout);
        try
        {
            await client.StartDiscoveryAsync([CgmsUuids.CgmService], CancellationToken.None).WaitAsync(Timeout);
            var device = await WaitForAsync(() => client.Devices.FirstOrDefault(d => d.Name == "CGM cli-1"));
            Assert.Contains(CgmsUuids.CgmService, device.ServiceUuids);

            // The client disposes it.
            var transport = client.CreateTransport(device);
            await transport.OpenAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
            var serial = await transport.ReadAsync(new GattCharacteristicId(DeviceInformationUuids.DeviceInformationService, DeviceInformationUuids.SerialNumberString), CancellationToken.None).AsTask().WaitAsync(Timeout);
            Assert.Equal("CLI-0042", DeviceInformationCodec.DecodeString(serial));

            // --no-e2e reached the sensor: its Feature says it sends no E2E-CRC.
            var feature = await transport.ReadAsync(new GattCharacteristicId(CgmsUuids.CgmService, CgmsUuids.CgmFeature), CancellationToken.None).AsTask().WaitAsync(Timeout);
            Assert.False(CgmFeatureCodec.Decode(feature).E2eCrcSupported);
            await loopback.WaitForErrorAsync("(CGM cli-1) connected");
        }
        finally
        {
            await client.DisposeAsync().AsTask().WaitAsync(Timeout);
        }

        Assert.Contains("advertises as CGM cli-1", loopback.Error, StringComparison.Ordinal);
        Assert.Equal(0, await sensor.StopAsync("TERM"));
        Assert.Contains("the emulated device unregistered", sensor.Error, StringComparison.Ordinal);
        Assert.Equal(0, await loopback.StopAsync("TERM"));
    }

    [Fact]
    public async Task An_emulated_ids_pump_on_a_loopback_is_discovered_and_answers_with_its_features_and_history()
    {
        var folder = ShortTemporaryFolder();
        try
        {
            await using var loopback = PumpgwProcess.Start("bluez-loopback", "--bus-dir", folder);
            var (address, _) = await AddressAndDaemonAsync(loopback);
            await using var pump = PumpgwProcess.Start("emulate", "ids", "--bus", address, "--name", "Pump cli-1", "--serial", "CLI-PUMP-7", "--days", "2");
            var ready = await pump.ReadLineAsync(line => line.StartsWith("emulating ", StringComparison.Ordinal));
            Assert.Contains("IDS pump \"Pump cli-1\"", ready, StringComparison.Ordinal);
            Assert.Contains("E2E on", ready, StringComparison.Ordinal);

            var client = await BlueZClient.ConnectAsync(new BlueZClientOptions { BusAddress = address }, NullLoggerFactory.Instance, CancellationToken.None).WaitAsync(Timeout);
            try
            {
                await client.StartDiscoveryAsync([IdsUuids.InsulinDeliveryService], CancellationToken.None).WaitAsync(Timeout);
                var device = await WaitForAsync(() => client.Devices.FirstOrDefault(d => d.Name == "Pump cli-1"));
                var transport = client.CreateTransport(device);
                await transport.OpenAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
                var serial = await transport.ReadAsync(new GattCharacteristicId(DeviceInformationUuids.DeviceInformationService, DeviceInformationUuids.SerialNumberString), CancellationToken.None).AsTask().WaitAsync(Timeout);
                Assert.Equal("CLI-PUMP-7", DeviceInformationCodec.DecodeString(serial));
                var features = await transport.ReadAsync(new GattCharacteristicId(IdsUuids.InsulinDeliveryService, IdsUuids.Features), CancellationToken.None).AsTask().WaitAsync(Timeout);
                Assert.True(IdsFeaturesCodec.Decode(features, IdsDialect.Specification).E2eProtectionSupported);
            }
            finally
            {
                await client.DisposeAsync().AsTask().WaitAsync(Timeout);
            }

            Assert.Equal(0, await pump.StopAsync("INT"));
            Assert.Equal(0, await loopback.StopAsync("TERM"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_emulator_that_cannot_reach_bluez_says_so_and_exits_non_zero()
    {
        var (exit, output, error) = await InProcessPumpgw.RunAsync("emulate", "cgms", "--bus", "unix:path=/nonexistent/pumpgw/bus");
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("could not register on unix:path=/nonexistent/pumpgw/bus", error, StringComparison.Ordinal);
    }

    /// <summary>A folder of the test's own for the bus socket (and so removed whatever happens); short, as a socket path has at most 107 bytes.</summary>
    private static string ShortTemporaryFolder() => Directory.CreateTempSubdirectory("pgw-").FullName;

    /// <summary>The bus address from the line on standard output, and the daemon's pid from the explanation on standard error.</summary>
    private static async Task<(string Address, int Daemon)> AddressAndDaemonAsync(PumpgwProcess loopback)
    {
        const string Prefix = BlueZLoopbackCommand.AddressVariable + "=";
        var line = await loopback.ReadLineAsync(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        var daemon = int.Parse(DaemonPid().Match(await loopback.WaitForErrorAsync("dbus-daemon pid")).Groups[1].Value, CultureInfo.InvariantCulture);
        loopback.OwnsDaemon(daemon);
        return (line[Prefix.Length..], daemon);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    [GeneratedRegex(@"dbus-daemon pid (\d+)")]
    private static partial Regex DaemonPid();
}
