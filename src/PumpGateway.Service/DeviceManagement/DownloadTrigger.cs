using PumpGateway.Ports;

namespace PumpGateway.Service.DeviceManagement;

/// <summary>
/// A request to download now, coalesced: many requests before the session looks are one. A wait
/// also ends when the session's link is gone: a driver idle between polls would otherwise not
/// notice a vanished device until its next poll.
/// </summary>
internal sealed class DownloadTrigger : IDownloadTrigger, IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);
    private ITransport? _link;

    /// <summary>Waits end with the link's failure once <paramref name="link"/> is gone.</summary>
    public void Follow(ITransport link) => _link = link;

    public void Request()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already requested and not yet taken: one download serves both.
        }
        catch (ObjectDisposedException)
        {
            // The session has just ended: there is nothing left to download from.
        }
    }

    public async Task WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var requested = _signal.WaitAsync(maxWait, cancellationToken);
        if (_link is { } link && await Task.WhenAny(requested, link.Disconnected) != requested)
        {
            await link.Disconnected;
            throw new TransportException($"{link.Endpoint} closed.");
        }

        await requested;
    }

    public void Dispose() => _signal.Dispose();
}
