using Microsoft.Extensions.Logging;
using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Ports;

/// <summary>
/// Speaks one device family's protocol over a transport: identify, check the clock, download
/// what is new since the stored cursor, then follow the device until the session is cancelled or
/// the link dies. A driver reads; it never sends anything that changes therapy.
/// </summary>
public interface IDeviceDriver
{
    /// <summary>The family folder this driver belongs to, e.g. <c>dexcom</c>.</summary>
    string Family { get; }

    Task RunAsync(DeviceSession session, CancellationToken cancellationToken);
}

/// <summary>Everything a driver's session may use. A driver touches nothing else.</summary>
public sealed class DeviceSession
{
    public required ITransport Transport { get; init; }

    public required ITelemetrySink Sink { get; init; }

    public required IDeviceSessionObserver Observer { get; init; }

    public required TimeProvider Clock { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>A request to download now (beyond the driver's own schedule) is signalled here.</summary>
    public required IDownloadTrigger DownloadTrigger { get; init; }
}

/// <summary>Where a driver hands decoded telemetry: committed with its cursor, durably, before it returns.</summary>
public interface ITelemetrySink
{
    Task<DownloadCursor?> GetCursorAsync(DeviceId device, string stream, CancellationToken cancellationToken);

    /// <summary>Stores the events not yet stored and advances the cursors, atomically.</summary>
    Task<AppendResult> CommitAsync(IReadOnlyList<TelemetryEvent> events, IReadOnlyList<DownloadCursor> cursors, CancellationToken cancellationToken);
}

/// <summary>A device's clock as a session found it when the device docked.</summary>
/// <param name="Offset">The device clock minus the gateway's UTC clock: what maps the device's times to UTC.</param>
/// <param name="Error">
/// The device clock minus what it should read (UTC for a device that keeps UTC, the clinic's local
/// time for one that keeps local time): what a technician corrects.
/// </param>
public readonly record struct DeviceClockCheck(TimeSpan Offset, TimeSpan Error);

/// <summary>What a session reports as it goes: the device manager turns it into WatchDevices events.</summary>
public interface IDeviceSessionObserver
{
    /// <summary>The device said who it is, and how its clock stands, if the session measured it.</summary>
    Task OnIdentifiedAsync(DeviceIdentity identity, DeviceClockCheck? clock, CancellationToken cancellationToken);

    void OnDownloadProgress(DownloadProgress progress);

    void OnDownloadCompleted(DownloadSummary summary);
}

/// <summary>Asks a session to download now; the device manager holds one per session.</summary>
public interface IDownloadTrigger
{
    /// <summary>
    /// Completes when a download is requested or <paramref name="maxWait"/> has passed; throws
    /// when cancelled, or with the link's <see cref="TransportException"/> when it is gone.
    /// </summary>
    Task WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken);
}

/// <param name="Stream">The history area being read, e.g. <c>egv</c>.</param>
/// <param name="Done">Units (pages, records) done so far in this download, over all streams.</param>
/// <param name="Total">Units to do in this download, over all streams.</param>
public sealed record DownloadProgress(DeviceId Device, string Stream, long Done, long Total, long EventsStored);

public sealed record DownloadSummary(DeviceId Device, long UnitsRead, long EventsStored, long Duplicates, TimeSpan Elapsed);

/// <summary>
/// The device could not be read as its protocol says (retries ran out, a required value is
/// missing or refused). The session ends with this reason; the next one resumes from the cursors.
/// </summary>
public sealed class DeviceSessionException : Exception
{
    public DeviceSessionException(string message)
        : base(message)
    {
    }

    public DeviceSessionException()
    {
    }

    public DeviceSessionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
