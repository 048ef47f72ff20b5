using PumpGateway.Fakes.BlueZ;

namespace PumpGateway.EndToEnd.Tests;

/// <summary>A private dbus-daemon with the BlueZ loopback on it, and a gateway reading Bluetooth devices there.</summary>
internal sealed class BluetoothBench : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pumpgw-e2e-").FullName;

    private BluetoothBench(PrivateDBusDaemon bus, BlueZLoopback loopback)
    {
        Bus = bus;
        Loopback = loopback;
    }

    public PrivateDBusDaemon Bus { get; }

    public BlueZLoopback Loopback { get; }

    public static async Task<BluetoothBench> StartAsync()
    {
        var bus = await PrivateDBusDaemon.StartAsync(CancellationToken.None);
        try
        {
            return new BluetoothBench(bus, await BlueZLoopback.StartAsync(bus.Address).WaitAsync(TestGateway.Timeout));
        }
        catch
        {
            await bus.DisposeAsync();
            throw;
        }
    }

    /// <summary>The gateway with Bluetooth on this bus; <paramref name="pollInterval"/> long enough that only notifications and downloads the test causes run.</summary>
    public Task<TestGateway> StartGatewayAsync(string pollInterval = "00:10:00") => TestGateway.StartAsync(_folder, new Dictionary<string, string?>
    {
        ["Gateway:Bluetooth:Enabled"] = "true",
        ["Gateway:Bluetooth:BusAddress"] = Bus.Address,
        ["Gateway:Drivers:PollInterval"] = pollInterval,
    });

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Loopback.DisposeAsync();
        }
        finally
        {
            await Bus.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
