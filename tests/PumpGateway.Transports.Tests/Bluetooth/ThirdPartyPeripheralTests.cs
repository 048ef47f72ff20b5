using System.Diagnostics;
using PumpGateway.Ports;

namespace PumpGateway.Transports.Tests.Bluetooth;

/// <summary>
/// A BlueZ peripheral that is not ours: a dbus-python GATT application (Debian's python3-dbus and
/// python3-gi) started with DBUS_SYSTEM_BUS_ADDRESS pointing at the loopback's bus registers,
/// advertises, and is read and followed by the gateway's BlueZ transport.
/// </summary>
public sealed class ThirdPartyPeripheralTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Timeout = LoopbackBench.Timeout;

    [Fact]
    public async Task A_dbus_python_peripheral_registers_against_the_loopback_and_is_read_and_followed()
    {
        await using var bench = await LoopbackBench.StartAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "Bluetooth", "ThirdParty", "battery_peripheral.py");
        var start = new ProcessStartInfo(Python, [script, "third-party-1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = bench.Bus.Address;
        using var peripheral = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start.");
        try
        {
            var errors = peripheral.StandardError.ReadToEndAsync();
            var ready = await peripheral.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
            if (ready != "READY")
            {
                peripheral.Kill(entireProcessTree: true);
                Assert.Fail($"The peripheral did not register: {ready} {await errors.WaitAsync(Timeout)}");
            }

            var client = await bench.ConnectClientAsync();
            await using var transport = await LoopbackBench.OpenAsync(client, "third-party-1");
            var level = new GattCharacteristicId(TestPeripheral.Service, TestPeripheral.Level);
            Assert.Equal([100], await transport.ReadAsync(level, CancellationToken.None).AsTask().WaitAsync(Timeout));

            await transport.SubscribeAsync(level, CancellationToken.None).AsTask().WaitAsync(Timeout);
            var values = new List<byte>();
            for (var i = 0; i < 3; i++)
            {
                values.Add((await transport.Notifications.ReadAsync().AsTask().WaitAsync(Timeout)).Value[0]);
            }

            Assert.Equal([99, 98, 97], values);
        }
        finally
        {
            peripheral.Kill(entireProcessTree: true);
            await peripheral.WaitForExitAsync().WaitAsync(Timeout);
        }
    }
}
