using PumpGateway.Ports;

namespace PumpGateway.Service.DeviceManagement;

/// <summary>A request to download now, coalesced: many requests before the session looks are one.</summary>
internal sealed class DownloadTrigger : IDownloadTrigger, IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

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

    public async Task WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        await _signal.WaitAsync(maxWait, cancellationToken);

    public void Dispose() => _signal.Dispose();
}
