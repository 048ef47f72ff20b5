using System.Threading.Channels;
using PumpGateway.Ports;

namespace PumpGateway.Service.Streaming;

/// <summary>One live subscriber's bounded queue of committed batches.</summary>
internal sealed class TelemetrySubscription : IDisposable
{
    private readonly Channel<IReadOnlyList<StoredEvent>> _queue =
        Channel.CreateUnbounded<IReadOnlyList<StoredEvent>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly int _capacity;
    private readonly Action<TelemetrySubscription> _onDispose;
    private int _queuedEvents;
    private int _overflowed;

    public TelemetrySubscription(int capacity, Action<TelemetrySubscription> onDispose)
    {
        _capacity = capacity;
        _onDispose = onDispose;
    }

    /// <summary>
    /// True once the queue filled up and batches were dropped. The reader must then call
    /// <see cref="Reset"/> and read from the store before taking from the queue again.
    /// </summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) == 1;

    public long OverflowCount { get; private set; }

    public ChannelReader<IReadOnlyList<StoredEvent>> Reader => _queue.Reader;

    /// <summary>Called on the store's writer: never blocks.</summary>
    public void Offer(IReadOnlyList<StoredEvent> batch)
    {
        if (Overflowed)
        {
            return;
        }

        if (Interlocked.Add(ref _queuedEvents, batch.Count) > _capacity)
        {
            Interlocked.Add(ref _queuedEvents, -batch.Count);
            Volatile.Write(ref _overflowed, 1);
            OverflowCount++;

            // Wakes a reader that is waiting on the queue so it notices the overflow now.
            _queue.Writer.TryWrite([]);
            return;
        }

        _queue.Writer.TryWrite(batch);
    }

    /// <summary>Takes a batch off the queue: the reader calls it for each batch it reads.</summary>
    public void Taken(IReadOnlyList<StoredEvent> batch) => Interlocked.Add(ref _queuedEvents, -batch.Count);

    /// <summary>Empties the queue and accepts batches again. Everything dropped is in the store.</summary>
    public void Reset()
    {
        while (_queue.Reader.TryRead(out var batch))
        {
            Taken(batch);
        }

        Volatile.Write(ref _overflowed, 0);
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _onDispose(this);
    }
}
