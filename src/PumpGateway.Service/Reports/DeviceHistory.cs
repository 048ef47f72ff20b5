using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Telemetry;

namespace PumpGateway.Service.Reports;

/// <summary>Every stored event of one device in a time range, read page by page so that no single query holds the store long.</summary>
internal static class DeviceHistory
{
    private const int PageSize = 10_000;

    /// <returns>The events in sequence order.</returns>
    public static async Task<IReadOnlyList<StoredEvent>> ReadAsync(
        IEventStore store, DeviceId device, DateTimeOffset? fromUtc, DateTimeOffset? toUtc, IReadOnlyCollection<TelemetryKind> kinds, CancellationToken cancellationToken)
    {
        var events = new List<StoredEvent>();
        long after = 0;
        while (true)
        {
            var page = await store.QueryAsync(new HistoryQuery(device, fromUtc, toUtc, kinds, after, PageSize), cancellationToken);
            events.AddRange(page);
            if (page.Count < PageSize)
            {
                return events;
            }

            after = page[^1].Sequence;
        }
    }
}
