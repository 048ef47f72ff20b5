using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Ports;

/// <summary>
/// Durable, append-only telemetry. Every appended event gets the next gateway sequence number;
/// an event whose id is already stored is skipped, so re-downloading never duplicates. An append
/// and the cursors that go with it commit together or not at all, and a completed append is on
/// disk (a crash after it loses nothing).
/// </summary>
public interface IEventStore : IAsyncDisposable
{
    /// <summary>Creates or migrates the schema. Called once before anything else.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task UpsertDeviceAsync(DeviceRecord device, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(CancellationToken cancellationToken);

    Task<DeviceRecord?> GetDeviceAsync(DeviceId device, CancellationToken cancellationToken);

    Task<DownloadCursor?> GetCursorAsync(DeviceId device, string stream, CancellationToken cancellationToken);

    Task<IReadOnlyList<DownloadCursor>> GetCursorsAsync(DeviceId device, CancellationToken cancellationToken);

    /// <summary>Appends the events not stored yet and saves the cursors, in one transaction. Every event must be stamped (<see cref="TelemetryEvent.IsStamped"/>).</summary>
    Task<AppendResult> AppendAsync(IReadOnlyList<TelemetryEvent> events, IReadOnlyList<DownloadCursor> cursors, CancellationToken cancellationToken);

    /// <summary>Events with a sequence greater than <paramref name="afterSequence"/>, in sequence order.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>Events of one device (or all) in a UTC time range, in sequence order, paged by sequence.</summary>
    Task<IReadOnlyList<StoredEvent>> QueryAsync(HistoryQuery query, CancellationToken cancellationToken);

    /// <summary>The highest sequence stored, 0 when empty.</summary>
    Task<long> GetHeadSequenceAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Raised after each commit, in commit (and so sequence) order, with what that commit appended.
    /// Handlers run on the store's writer: they must return at once and never throw.
    /// </summary>
    event Action<IReadOnlyList<StoredEvent>>? Committed;
}

/// <summary>An event as stored: with the gateway's sequence number.</summary>
public sealed record StoredEvent(long Sequence, TelemetryEvent Event);

public sealed record AppendResult(IReadOnlyList<StoredEvent> Appended, int Duplicates, long HeadSequence);

/// <summary>
/// How far a device's history has been downloaded, per stream (a device has one stream per
/// record type or history area). <see cref="Position"/> is the device's own unit: a page number,
/// a record number.
/// </summary>
public sealed record DownloadCursor(DeviceId Device, string Stream, long Position, DateTimeOffset UpdatedUtc);

/// <param name="Device">One device, or null for all.</param>
/// <param name="FromUtc">Inclusive lower bound on the event's UTC time, or null.</param>
/// <param name="ToUtc">Exclusive upper bound on the event's UTC time, or null.</param>
/// <param name="Kinds">Only these kinds; empty for all.</param>
/// <param name="AfterSequence">Paging: only events with a greater sequence.</param>
/// <param name="Limit">At most this many events.</param>
public sealed record HistoryQuery(
    DeviceId? Device,
    DateTimeOffset? FromUtc,
    DateTimeOffset? ToUtc,
    IReadOnlyCollection<TelemetryKind> Kinds,
    long AfterSequence,
    int Limit);
