using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Fakes.BlueZ;
using PumpGateway.Ports;
using PumpGateway.Transports.Bluetooth;

namespace PumpGateway.Transports.Tests.Bluetooth;

/// <summary>A private bus with the BlueZ loopback on it: what each test here connects the gateway's BlueZ client to.</summary>
internal sealed class LoopbackBench : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly List<IAsyncDisposable> _owned = [];

    private LoopbackBench(PrivateDBusDaemon bus, BlueZLoopback loopback)
    {
        Bus = bus;
        Loopback = loopback;
    }

    public PrivateDBusDaemon Bus { get; }

    public BlueZLoopback Loopback { get; }

    public static async Task<LoopbackBench> StartAsync()
    {
        var bus = await PrivateDBusDaemon.StartAsync(CancellationToken.None);
        try
        {
            return new LoopbackBench(bus, await BlueZLoopback.StartAsync(bus.Address).WaitAsync(Timeout));
        }
        catch
        {
            await bus.DisposeAsync();
            throw;
        }
    }

    public async Task<(GattPeripheral Peripheral, TestPeripheral Device)> StartPeripheralAsync(string name, Guid? service = null)
    {
        var device = new TestPeripheral(service ?? TestPeripheral.Service);
        var peripheral = await GattPeripheral.StartAsync(Bus.Address, device.Definition(name), device).WaitAsync(Timeout);
        device.Host = peripheral;
        _owned.Add(peripheral);
        return (peripheral, device);
    }

    public async Task<BlueZClient> ConnectClientAsync(TimeSpan? callTimeout = null)
    {
        var client = await BlueZClient.ConnectAsync(
            new BlueZClientOptions { BusAddress = Bus.Address, CallTimeout = callTimeout ?? TimeSpan.FromSeconds(10), ConnectTimeout = TimeSpan.FromSeconds(10) },
            NullLoggerFactory.Instance,
            CancellationToken.None).WaitAsync(Timeout);
        _owned.Add(client);
        return client;
    }

    /// <summary>Discovers until the named device shows, then opens a transport to it.</summary>
    public static async Task<BlueZGattTransport> OpenAsync(BlueZClient client, string name, Guid? service = null)
    {
        await client.StartDiscoveryAsync([service ?? TestPeripheral.Service], CancellationToken.None).WaitAsync(Timeout);
        var device = await WaitForAsync(() => client.Devices.FirstOrDefault(d => d.Name == name));
        var transport = client.CreateTransport(device);
        await transport.OpenAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
        return transport;
    }

    public static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(10, deadline.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var owned in Enumerable.Reverse(_owned))
            {
                await owned.DisposeAsync();
            }

            await Loopback.DisposeAsync();
        }
        finally
        {
            // Whatever failed above, the daemon does not outlive the test.
            await Bus.DisposeAsync();
        }
    }
}

/// <summary>
/// A small peripheral for transport tests: a readable, notifying level (like Battery Level), an
/// echo that indicates back what is written to it reversed, and a read that never answers.
/// </summary>
internal sealed class TestPeripheral(Guid service) : IGattPeripheralHandler
{
    public static readonly Guid Service = GattUuid.FromShort(0x180F);
    public static readonly Guid Level = GattUuid.FromShort(0x2A19);
    public static readonly Guid Echo = Guid.Parse("5a1e0001-7e57-4c0d-9a7e-0123456789ab");
    public static readonly Guid Silent = Guid.Parse("5a1e0002-7e57-4c0d-9a7e-0123456789ab");

    public GattPeripheral? Host { get; set; }

    public byte LevelValue { get; set; } = 87;

    public ConcurrentQueue<(GattCharacteristicId Characteristic, bool Notifying)> SubscriptionChanges { get; } = new();

    public GattCharacteristicId LevelId => new(service, Level);

    public GattCharacteristicId EchoId => new(service, Echo);

    public GattCharacteristicId SilentId => new(service, Silent);

    public GattPeripheralDefinition Definition(string name) => new(
        name,
        [service],
        [new GattServiceDefinition(service, [
            new GattCharacteristicDefinition(Level, "read", "notify"),
            new GattCharacteristicDefinition(Echo, "write", "indicate"),
            new GattCharacteristicDefinition(Silent, "read")])]);

    public async ValueTask<byte[]> ReadAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken)
    {
        if (characteristic.Characteristic == Silent)
        {
            await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
        }

        return [LevelValue];
    }

    public ValueTask WriteAsync(GattCharacteristicId characteristic, byte[] value, CancellationToken cancellationToken)
    {
        if (value.Length == 0)
        {
            throw new GattErrorException(BlueZNames.ErrorInvalidValueLength, "empty");
        }

        Host!.Notify(characteristic, [.. value.Reverse()]);
        return ValueTask.CompletedTask;
    }

    public void OnNotifyingChanged(GattCharacteristicId characteristic, bool notifying) => SubscriptionChanges.Enqueue((characteristic, notifying));
}
