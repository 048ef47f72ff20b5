using System.Collections.Concurrent;
using System.Threading.Channels;
using PumpGateway.Ports;

namespace PumpGateway.Devices.Gatt;

/// <summary>
/// What the BLE drivers share on top of a GATT transport: one reader of the notification stream
/// that answers control-point requests with their indication and passes everything else on, in
/// the order it arrived, as data. A control point's answer completes its request only after the
/// data notified before it has been passed on: when a record transfer's "success" is seen, every
/// record of the transfer is already waiting in <see cref="Data"/>.
/// </summary>
internal sealed class GattSession : IAsyncDisposable
{
    private readonly IGattTransport _transport;
    private readonly TimeSpan _responseTimeout;
    private readonly Channel<GattNotification> _data = Channel.CreateUnbounded<GattNotification>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly ConcurrentDictionary<GattCharacteristicId, TaskCompletionSource<byte[]>> _pending = new();
    private readonly HashSet<GattCharacteristicId> _controlPoints = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task _reader = Task.CompletedTask;

    public GattSession(IGattTransport transport, TimeSpan responseTimeout)
    {
        _transport = transport;
        _responseTimeout = responseTimeout;
    }

    public IGattTransport Transport => _transport;

    /// <summary>Notifications that are not control-point answers, in arrival order; completes with the link's error when it drops.</summary>
    public ChannelReader<GattNotification> Data => _data.Reader;

    public bool Has(GattCharacteristicId characteristic) =>
        _transport.Services.Any(s => s.Uuid == characteristic.Service && s.Characteristics.Any(c => c.Uuid == characteristic.Characteristic));

    /// <summary>Starts reading notifications. Control points are subscribed to here; data characteristics with <see cref="SubscribeAsync"/>.</summary>
    public async Task StartAsync(IReadOnlyList<GattCharacteristicId> controlPoints, CancellationToken cancellationToken)
    {
        foreach (var controlPoint in controlPoints)
        {
            _controlPoints.Add(controlPoint);
        }

        _reader = Task.Run(ReadLoopAsync, CancellationToken.None);
        foreach (var controlPoint in controlPoints)
        {
            await _transport.SubscribeAsync(controlPoint, cancellationToken);
        }
    }

    public ValueTask SubscribeAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken) =>
        _transport.SubscribeAsync(characteristic, cancellationToken);

    public ValueTask<byte[]> ReadAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken) =>
        _transport.ReadAsync(characteristic, cancellationToken);

    /// <summary>Reads an optional characteristic: null when the device does not have it.</summary>
    public async ValueTask<byte[]?> TryReadAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken) =>
        Has(characteristic) ? await _transport.ReadAsync(characteristic, cancellationToken) : null;

    /// <summary>
    /// Writes a request to a control point and waits for its indication. One request per control
    /// point at a time, as the profiles require. <paramref name="timeout"/> bounds the wait for the
    /// answer (a record transfer takes as long as its records; the default is the response timeout).
    /// </summary>
    public async Task<byte[]> RequestAsync(GattCharacteristicId controlPoint, byte[] request, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var answer = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(controlPoint, answer))
        {
            throw new InvalidOperationException($"A request to {controlPoint} is already waiting for its answer.");
        }

        try
        {
            await _transport.WriteAsync(controlPoint, request, GattWriteKind.WithResponse, cancellationToken);
            var limit = timeout ?? _responseTimeout;
            try
            {
                return await answer.Task.WaitAsync(limit, cancellationToken);
            }
            catch (TimeoutException ex)
            {
                _transport.Statistics.AddTimeout();
                throw new TransportException($"{_transport.Endpoint} did not answer on {controlPoint} within {limit.TotalSeconds} s.", ex) { IsTimeout = true };
            }
        }
        finally
        {
            _pending.TryRemove(controlPoint, out _);
        }
    }

    /// <summary>
    /// Waits until a notification is waiting in <see cref="Data"/> (true) or <paramref name="until"/>
    /// has completed (false). A dropped link surfaces here as its <see cref="TransportException"/>.
    /// </summary>
    public async Task<bool> WaitForDataAsync(Task until, CancellationToken cancellationToken)
    {
        var waiting = _data.Reader.WaitToReadAsync(cancellationToken).AsTask();
        return await Task.WhenAny(until, waiting) == waiting && await waiting;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting: what it was reading no longer matters.
        }

        _stopping.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            await foreach (var notification in _transport.Notifications.ReadAllAsync(_stopping.Token))
            {
                if (_controlPoints.Contains(notification.Characteristic))
                {
                    if (_pending.TryGetValue(notification.Characteristic, out var answer))
                    {
                        answer.TrySetResult(notification.Value);
                    }

                    continue;
                }

                await _data.Writer.WriteAsync(notification, _stopping.Token);
            }

            _data.Writer.TryComplete(new TransportException($"{_transport.Endpoint}: the link closed."));
        }
        catch (TransportException ex)
        {
            _data.Writer.TryComplete(ex);
            foreach (var answer in _pending.Values)
            {
                answer.TrySetException(ex);
            }
        }
    }
}
