using System.Threading.Channels;
using PumpGateway.Devices;
using PumpGateway.Ports;

namespace PumpGateway.Service.DeviceManagement;

internal enum DeviceEventKind
{
    Docked,
    Identified,
    Progress,
    Completed,
    Disconnected,
}

/// <summary>Something that happened to a docked device, for WatchDevices and DownloadHistory.</summary>
internal sealed record DeviceEvent(DateTimeOffset Time, string Endpoint, DeviceId? Device, DeviceEventKind Kind)
{
    public DeviceRecord? Identified { get; init; }

    public DownloadProgress? Progress { get; init; }

    public DownloadSummary? Completed { get; init; }

    public string? Reason { get; init; }
}

/// <summary>
/// Fans device events out to watchers, each with a bounded queue. A watcher that does not keep up
/// is ended (its stream completes with an error) rather than slowing the sessions that publish.
/// </summary>
internal sealed class DeviceEventHub
{
    private const int WatcherCapacity = 1024;
    private readonly Lock _gate = new();
    private Channel<DeviceEvent>[] _watchers = [];

    public DeviceEventWatch Watch()
    {
        var channel = Channel.CreateBounded<DeviceEvent>(new BoundedChannelOptions(WatcherCapacity) { SingleReader = true });
        lock (_gate)
        {
            _watchers = [.. _watchers, channel];
        }

        return new DeviceEventWatch(channel.Reader, () => Remove(channel));
    }

    public void Publish(DeviceEvent deviceEvent)
    {
        foreach (var watcher in Volatile.Read(ref _watchers))
        {
            if (!watcher.Writer.TryWrite(deviceEvent))
            {
                watcher.Writer.TryComplete(new WatcherTooSlowException());
                Remove(watcher);
            }
        }
    }

    private void Remove(Channel<DeviceEvent> channel)
    {
        lock (_gate)
        {
            _watchers = [.. _watchers.Where(w => w != channel)];
        }
    }
}

internal sealed class DeviceEventWatch(ChannelReader<DeviceEvent> reader, Action onDispose) : IDisposable
{
    public ChannelReader<DeviceEvent> Reader { get; } = reader;

    public void Dispose() => onDispose();
}

internal sealed class WatcherTooSlowException : Exception
{
    public WatcherTooSlowException()
        : base("The watcher fell more than 1024 device events behind and was dropped; watch again.")
    {
    }

    public WatcherTooSlowException(string message)
        : base(message)
    {
    }

    public WatcherTooSlowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
