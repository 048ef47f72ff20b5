using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Telemetry;

namespace PumpGateway.Service.DeviceManagement;

/// <summary>What drivers write to: the store, with the cursor in the same transaction.</summary>
internal sealed class StoreTelemetrySink(IEventStore store) : ITelemetrySink
{
    public Task<DownloadCursor?> GetCursorAsync(DeviceId device, string stream, CancellationToken cancellationToken) =>
        store.GetCursorAsync(device, stream, cancellationToken);

    public Task<AppendResult> CommitAsync(IReadOnlyList<TelemetryEvent> events, IReadOnlyList<DownloadCursor> cursors, CancellationToken cancellationToken) =>
        store.AppendAsync(events, cursors, cancellationToken);
}
