using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Fakes.Pty;
using PumpGateway.Ports;
using PumpGateway.Transports.Serial;

namespace PumpGateway.Transports.Tests;

/// <summary>The serial transport on a real pseudo-terminal: System.IO.Ports on one side, the emulator's master on the other.</summary>
public sealed class SerialTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Bytes_pass_both_ways_unchanged_including_control_bytes()
    {
        await using var pty = PseudoTerminal.Open();
        await using var transport = await OpenAsync(pty.SlavePath);
        byte[] payload = [.. Enumerable.Range(0, 256).Select(i => (byte)i), .. new byte[64 * 1024].Select((_, i) => (byte)(i * 7))];

        var reading = Task.Run(async () =>
        {
            var received = new List<byte>();
            var buffer = new byte[8192];
            while (received.Count < payload.Length)
            {
                var n = await pty.ReadAsync(buffer, CancellationToken.None);
                received.AddRange(buffer.AsSpan(0, n).ToArray());
            }

            return received;
        });
        await transport.WriteAsync(payload, CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.Equal(payload, await reading.WaitAsync(Timeout));

        await pty.WriteAsync(payload, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(payload, await ReadExactlyAsync(transport.Input, payload.Length));
    }

    [Fact]
    public async Task A_write_the_device_never_reads_times_out_instead_of_hanging()
    {
        await using var pty = PseudoTerminal.Open();
        var transport = new SerialTransport(new SerialPortSettings(pty.SlavePath) { WriteTimeout = TimeSpan.FromMilliseconds(300) }, NullLogger<SerialTransport>.Instance);
        await using (transport)
        {
            await transport.OpenAsync(CancellationToken.None);
            var error = await Assert.ThrowsAsync<TransportException>(() => transport.WriteAsync(new byte[1024 * 1024], CancellationToken.None).AsTask().WaitAsync(Timeout));
            Assert.True(error.IsTimeout);
            Assert.Equal(1, transport.Statistics.Timeouts);
        }
    }

    [Fact]
    public async Task Dribbled_bytes_arrive_in_order()
    {
        await using var pty = PseudoTerminal.Open();
        await using var transport = await OpenAsync(pty.SlavePath);
        for (var i = 0; i < 20; i++)
        {
            await pty.WriteAsync(new[] { (byte)i }, CancellationToken.None).WaitAsync(Timeout);
            await Task.Delay(5);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (byte)i), await ReadExactlyAsync(transport.Input, 20));
    }

    [Fact]
    public async Task A_vanished_device_completes_the_input_with_a_transport_error()
    {
        var pty = PseudoTerminal.Open();
        await using var transport = await OpenAsync(pty.SlavePath);
        await pty.DisposeAsync();
        var error = await Assert.ThrowsAsync<TransportException>(async () =>
        {
            while (true)
            {
                var result = await transport.Input.ReadAsync().AsTask().WaitAsync(Timeout);
                transport.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        });
        Assert.Contains("vanished", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_a_missing_port_is_a_transport_error()
    {
        await using var transport = new SerialTransport(new SerialPortSettings("/dev/pumpgw-no-such-port"), NullLogger<SerialTransport>.Instance);
        await Assert.ThrowsAsync<TransportException>(() => transport.OpenAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public void Discovery_finds_configured_ports_and_known_usb_ids_in_sysfs()
    {
        var sysfs = Directory.CreateTempSubdirectory("pumpgw-sysfs-").FullName;
        try
        {
            MakeTty(sysfs, "ttyACM0", "22a3", "0047");
            MakeTty(sysfs, "ttyUSB0", "0403", "6001");
            var configured = Path.Combine(sysfs, "configured-port");
            File.WriteAllText(configured, "");
            var discovery = new SerialDeviceDiscovery(sysfs, [new DeviceFamilyDescriptor("dexcom", [new UsbId(0x22A3, 0x0047)])], [new ConfiguredPort(configured, "dexcom"), new ConfiguredPort("/dev/pumpgw-missing", "dexcom")]);
            var found = discovery.Scan();
            Assert.Equal(
                [new SerialCandidate(configured, "dexcom", null, "configured"), new SerialCandidate("/dev/ttyACM0", "dexcom", new UsbId(0x22A3, 0x0047), "usb")],
                found);
            Assert.Empty(new SerialDeviceDiscovery(Path.Combine(sysfs, "absent"), [], []).Scan());
        }
        finally
        {
            Directory.Delete(sysfs, recursive: true);
        }
    }

    private static void MakeTty(string sysfs, string name, string vendor, string product)
    {
        // /sys/class/tty/NAME/device -> ../../devices/usb1/1-1/1-1:1.0 ; idVendor/idProduct live on 1-1.
        var usbDevice = Directory.CreateDirectory(Path.Combine(sysfs, "devices", "usb1", name + "-1")).FullName;
        File.WriteAllText(Path.Combine(usbDevice, "idVendor"), vendor + "\n");
        File.WriteAllText(Path.Combine(usbDevice, "idProduct"), product + "\n");
        var usbInterface = Directory.CreateDirectory(Path.Combine(usbDevice, name + "-1:1.0")).FullName;
        var tty = Directory.CreateDirectory(Path.Combine(sysfs, "class", "tty", name)).FullName;
        Directory.CreateSymbolicLink(Path.Combine(tty, "device"), usbInterface);
    }

    private static async Task<SerialTransport> OpenAsync(string path)
    {
        var transport = new SerialTransport(new SerialPortSettings(path) { ReopenDelay = TimeSpan.FromMilliseconds(50), MaxReopenAttempts = 2 }, NullLogger<SerialTransport>.Instance);
        await transport.OpenAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
        return transport;
    }

    private static async Task<byte[]> ReadExactlyAsync(PipeReader input, int count)
    {
        while (true)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(Timeout);
            if (result.Buffer.Length >= count)
            {
                var bytes = result.Buffer.Slice(0, count).ToArray();
                input.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }

            Assert.False(result.IsCompleted, "the input ended early");
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
