using Microsoft.Extensions.Options;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Service.Hosting;
using PumpGateway.Telemetry;

namespace PumpGateway.Service.Reports;

/// <summary>Which devices one person wears (configured: see <see cref="GatewayOptions.Wearers"/>), and the glucose a pump's wearer's CGM recorded.</summary>
internal sealed class WearerDevices
{
    private static readonly TelemetryKind[] GlucoseKind = [TelemetryKind.Glucose];

    private readonly Dictionary<DeviceId, DeviceId[]> _companions = [];

    public WearerDevices(IOptions<GatewayOptions> options)
    {
        foreach (var (wearer, index) in options.Value.Wearers.Select((w, i) => (w, i)))
        {
            var devices = wearer.Devices.Select(id => Parse(id, index)).Distinct().ToArray();
            foreach (var device in devices)
            {
                if (!_companions.TryAdd(device, [.. devices.Where(d => d != device)]))
                {
                    throw new ArgumentException($"Gateway:Wearers: device {device} is listed for two wearers.");
                }
            }
        }
    }

    /// <summary>Sensor glucose of the other devices of <paramref name="device"/>'s wearer in [from, to), each reading with its device.</summary>
    public async Task<IReadOnlyList<GlucoseReading>> CompanionGlucoseAsync(IEventStore store, DeviceId device, DateTimeOffset? fromUtc, DateTimeOffset? toUtc, CancellationToken cancellationToken)
    {
        if (!_companions.TryGetValue(device, out var companions))
        {
            return [];
        }

        var readings = new List<GlucoseReading>();
        foreach (var companion in companions)
        {
            var stored = await DeviceHistory.ReadAsync(store, companion, fromUtc, toUtc, GlucoseKind, cancellationToken);
            readings.AddRange(stored.Select(s => (GlucoseReading)s.Event).Where(r => r.Source == GlucoseSource.Sensor));
        }

        return readings;
    }

    private static DeviceId Parse(string id, int index)
    {
        try
        {
            return new DeviceId(id);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Gateway:Wearers:{index}:Devices: \"{id}\" is not a device id ({ex.Message}).", ex);
        }
    }
}
