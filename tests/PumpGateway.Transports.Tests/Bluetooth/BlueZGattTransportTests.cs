using PumpGateway.Fakes.BlueZ;
using PumpGateway.Ports;
using PumpGateway.Transports.Bluetooth;
using Tmds.DBus.Protocol;

namespace PumpGateway.Transports.Tests.Bluetooth;

/// <summary>
/// The gateway's BlueZ transport against the BlueZ loopback on a private dbus-daemon, with
/// peripherals registered as BlueZ GATT applications: the whole D-Bus path, no radio.
/// </summary>
public sealed class BlueZGattTransportTests
{
    private static readonly TimeSpan Timeout = LoopbackBench.Timeout;

    [Fact]
    public async Task Discovery_shows_only_devices_that_advertise_a_wanted_service()
    {
        await using var bench = await LoopbackBench.StartAsync();
        await bench.StartPeripheralAsync("wanted-1");
        await bench.StartPeripheralAsync("other-1", GattUuid.FromShort(0x1809));
        var client = await bench.ConnectClientAsync();

        await client.StartDiscoveryAsync([TestPeripheral.Service], CancellationToken.None).WaitAsync(Timeout);
        var found = await LoopbackBench.WaitForAsync(() => client.Devices.FirstOrDefault(d => d.Name == "wanted-1"));

        Assert.Contains(TestPeripheral.Service, found.ServiceUuids);
        Assert.False(found.Connected);
        Assert.DoesNotContain(client.Devices, d => d.Name == "other-1");
        Assert.Equal(BlueZNames.DevicePath(BlueZLoopback.AdapterPath, found.Address), found.Path);
    }

    [Fact]
    public async Task Reads_writes_and_notifications_cross_the_loopback_in_order()
    {
        await using var bench = await LoopbackBench.StartAsync();
        var (peripheral, device) = await bench.StartPeripheralAsync("level-1");
        var client = await bench.ConnectClientAsync();
        await using var transport = await LoopbackBench.OpenAsync(client, "level-1");

        var service = Assert.Single(transport.Services);
        Assert.Equal(TestPeripheral.Service, service.Uuid);
        Assert.Equal(["read", "notify"], service.Characteristics.Single(c => c.Uuid == TestPeripheral.Level).Flags);
        Assert.Equal([87], await transport.ReadAsync(device.LevelId, CancellationToken.None).AsTask().WaitAsync(Timeout));

        await transport.SubscribeAsync(device.LevelId, CancellationToken.None).AsTask().WaitAsync(Timeout);
        await transport.SubscribeAsync(device.EchoId, CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.True(peripheral.IsNotifying(device.LevelId));
        for (var i = 0; i < 200; i++)
        {
            Assert.True(peripheral.Notify(device.LevelId, [(byte)i]));
        }

        await transport.WriteAsync(device.EchoId, new byte[] { 1, 2, 3 }, GattWriteKind.WithResponse, CancellationToken.None).AsTask().WaitAsync(Timeout);

        for (var i = 0; i < 200; i++)
        {
            var notification = await transport.Notifications.ReadAsync().AsTask().WaitAsync(Timeout);
            Assert.Equal(device.LevelId, notification.Characteristic);
            Assert.Equal([(byte)i], notification.Value);
        }

        var echo = await transport.Notifications.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(device.EchoId, echo.Characteristic);
        Assert.Equal([3, 2, 1], echo.Value);
        Assert.Equal([1, 2, 3], Assert.Single(peripheral.Writes).Value);
    }

    [Fact]
    public async Task A_dropped_link_ends_the_notifications_with_a_transport_error_and_the_device_can_be_connected_again()
    {
        await using var bench = await LoopbackBench.StartAsync();
        var (peripheral, device) = await bench.StartPeripheralAsync("drop-1");
        var client = await bench.ConnectClientAsync();
        var transport = await LoopbackBench.OpenAsync(client, "drop-1");
        await transport.SubscribeAsync(device.LevelId, CancellationToken.None).AsTask().WaitAsync(Timeout);
        bench.Loopback.FindDevice("drop-1")!.Faults.DropLinkAfterNotifications(5);

        for (var i = 0; i < 10; i++)
        {
            peripheral.Notify(device.LevelId, [(byte)i]);
        }

        var received = new List<byte>();
        var error = await Assert.ThrowsAsync<TransportException>(async () =>
        {
            await foreach (var notification in transport.Notifications.ReadAllAsync().WithCancellation(new CancellationTokenSource(Timeout).Token))
            {
                received.Add(notification.Value[0]);
            }
        });
        Assert.Equal([0, 1, 2, 3, 4], received);
        Assert.Contains("disconnected", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TransportException>(() => transport.Disconnected.WaitAsync(Timeout));
        Assert.False(transport.IsOpen);
        await Assert.ThrowsAsync<TransportException>(() => transport.ReadAsync(device.LevelId, CancellationToken.None).AsTask());
        // The loopback stops the peripheral's notifications on the link's end over D-Bus: it may land after the error.
        using (var stopped = new CancellationTokenSource(Timeout))
        {
            while (!device.SubscriptionChanges.Contains((device.LevelId, false)))
            {
                await Task.Delay(20, stopped.Token);
            }
        }

        await transport.DisposeAsync();

        await using var again = await LoopbackBench.OpenAsync(client, "drop-1");
        await again.SubscribeAsync(device.LevelId, CancellationToken.None).AsTask().WaitAsync(Timeout);
        peripheral.Notify(device.LevelId, [42]);
        Assert.Equal([42], (await again.Notifications.ReadAsync().AsTask().WaitAsync(Timeout)).Value);
        Assert.Equal(2, bench.Loopback.FindDevice("drop-1")!.Counters.Connects);
        Assert.Equal(1, bench.Loopback.FindDevice("drop-1")!.Counters.LinksDropped);
    }

    [Fact]
    public async Task A_refused_write_is_a_gatt_error_and_the_link_stays_up()
    {
        await using var bench = await LoopbackBench.StartAsync();
        var (peripheral, device) = await bench.StartPeripheralAsync("refuse-1");
        var client = await bench.ConnectClientAsync();
        await using var transport = await LoopbackBench.OpenAsync(client, "refuse-1");
        bench.Loopback.FindDevice("refuse-1")!.Faults.RefuseNextWrites(1);

        var refused = await Assert.ThrowsAsync<GattErrorException>(() => transport.WriteAsync(device.EchoId, new byte[] { 9 }, GattWriteKind.WithResponse, CancellationToken.None).AsTask().WaitAsync(Timeout));
        Assert.Equal(BlueZNames.ErrorFailed, refused.ErrorName);
        var invalid = await Assert.ThrowsAsync<GattErrorException>(() => transport.WriteAsync(device.EchoId, Array.Empty<byte>(), GattWriteKind.WithResponse, CancellationToken.None).AsTask().WaitAsync(Timeout));
        Assert.Equal(BlueZNames.ErrorInvalidValueLength, invalid.ErrorName);

        await transport.WriteAsync(device.EchoId, new byte[] { 7 }, GattWriteKind.WithoutResponse, CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.True(transport.IsOpen);
        Assert.Equal([false, true], peripheral.Writes.Select(w => w.Accepted));
        Assert.Equal([7], peripheral.Writes[^1].Value);
    }

    [Fact]
    public async Task A_lost_notification_never_arrives_and_delayed_ones_keep_their_order()
    {
        await using var bench = await LoopbackBench.StartAsync();
        var (peripheral, device) = await bench.StartPeripheralAsync("lossy-1");
        var client = await bench.ConnectClientAsync();
        await using var transport = await LoopbackBench.OpenAsync(client, "lossy-1");
        await transport.SubscribeAsync(device.LevelId, CancellationToken.None).AsTask().WaitAsync(Timeout);
        var faults = bench.Loopback.FindDevice("lossy-1")!.Faults;
        faults.LoseNextNotifications(2);
        faults.Delay = TimeSpan.FromMilliseconds(20);

        for (var i = 0; i < 6; i++)
        {
            peripheral.Notify(device.LevelId, [(byte)i]);
        }

        var received = new List<byte>();
        for (var i = 0; i < 4; i++)
        {
            received.Add((await transport.Notifications.ReadAsync().AsTask().WaitAsync(Timeout)).Value[0]);
        }

        Assert.Equal([2, 3, 4, 5], received);
        Assert.Equal(2, bench.Loopback.FindDevice("lossy-1")!.Counters.NotificationsLost);
    }

    [Fact]
    public async Task A_request_the_device_never_answers_times_out_instead_of_hanging()
    {
        await using var bench = await LoopbackBench.StartAsync();
        var (_, device) = await bench.StartPeripheralAsync("silent-1");
        var client = await bench.ConnectClientAsync(callTimeout: TimeSpan.FromMilliseconds(500));
        await using var transport = await LoopbackBench.OpenAsync(client, "silent-1");

        var error = await Assert.ThrowsAsync<TransportException>(() => transport.ReadAsync(device.SilentId, CancellationToken.None).AsTask().WaitAsync(Timeout));
        Assert.True(error.IsTimeout);
        Assert.Equal(1, transport.Statistics.Timeouts);
    }

    [Fact]
    public async Task A_peripheral_that_leaves_the_bus_ends_the_link()
    {
        await using var bench = await LoopbackBench.StartAsync();
        var (peripheral, device) = await bench.StartPeripheralAsync("leaving-1");
        var client = await bench.ConnectClientAsync();
        await using var transport = await LoopbackBench.OpenAsync(client, "leaving-1");
        await transport.SubscribeAsync(device.LevelId, CancellationToken.None).AsTask().WaitAsync(Timeout);

        await peripheral.DisposeAsync();

        await Assert.ThrowsAsync<TransportException>(() => transport.Disconnected.WaitAsync(Timeout));
        await Assert.ThrowsAsync<TransportException>(async () => await transport.Notifications.WaitToReadAsync().AsTask().WaitAsync(Timeout));
        await LoopbackBench.WaitForAsync(() => client.Devices.Any(d => d.Name == "leaving-1") ? null : "gone");
    }

    [Fact]
    public async Task When_bluetoothd_goes_away_every_link_ends_and_the_client_says_so()
    {
        await using var bench = await LoopbackBench.StartAsync();
        var (_, device) = await bench.StartPeripheralAsync("orphan-1");
        var client = await bench.ConnectClientAsync();
        await using var transport = await LoopbackBench.OpenAsync(client, "orphan-1");
        await transport.SubscribeAsync(device.LevelId, CancellationToken.None).AsTask().WaitAsync(Timeout);

        await bench.Bus.DisposeAsync();

        await client.Disconnected.WaitAsync(Timeout);
        await Assert.ThrowsAsync<TransportException>(() => transport.Disconnected.WaitAsync(Timeout));
        await Assert.ThrowsAsync<TransportException>(() => transport.ReadAsync(device.LevelId, CancellationToken.None).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Bonding_state_is_reported()
    {
        await using var bench = await LoopbackBench.StartAsync();
        await bench.StartPeripheralAsync("bonded-1");
        var client = await bench.ConnectClientAsync();
        await client.StartDiscoveryAsync([TestPeripheral.Service], CancellationToken.None).WaitAsync(Timeout);
        var found = await LoopbackBench.WaitForAsync(() => client.Devices.FirstOrDefault(d => d.Name == "bonded-1"));
        Assert.False(found.Bonded);

        // Pairing is the operator's step (bluetoothctl on a real host); here the loopback's Device1.Pair.
        using (var operatorConnection = new DBusConnection(bench.Bus.Address))
        {
            await operatorConnection.ConnectAsync();
            await DBusMessages.CallAsync(operatorConnection, BlueZNames.Service, found.Path, BlueZNames.Device, "Pair", Timeout, CancellationToken.None);
        }

        await LoopbackBench.WaitForAsync(() => client.Devices.FirstOrDefault(d => d.Name == "bonded-1" && d.Bonded));
        await using var transport = client.CreateTransport(found);
        await transport.OpenAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.True(transport.IsBonded);
    }

    [Fact]
    public async Task An_unreachable_bus_is_a_clear_transport_error()
    {
        var error = await Assert.ThrowsAsync<TransportException>(() => BlueZClient.ConnectAsync(
            new BlueZClientOptions { BusAddress = "unix:path=/nonexistent/pumpgateway-bus", CallTimeout = TimeSpan.FromSeconds(2) },
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            CancellationToken.None).WaitAsync(Timeout));
        Assert.Contains("could not be reached", error.Message, StringComparison.Ordinal);
    }
}
