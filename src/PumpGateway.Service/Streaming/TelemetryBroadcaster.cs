using Microsoft.Extensions.Options;
using PumpGateway.Ports;
using PumpGateway.Service.Hosting;

namespace PumpGateway.Service.Streaming;

/// <summary>
/// Fans committed events out to live subscribers. Each subscriber has its own bounded queue;
/// publishing never waits on a subscriber. A subscriber whose queue is full is marked overflowed
/// and catches up from the store instead, so a slow client neither slows the others nor grows
/// memory, and loses nothing.
/// </summary>
internal sealed class TelemetryBroadcaster : IDisposable
{
    private readonly IEventStore _store;
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private TelemetrySubscription[] _subscribers = [];

    public TelemetryBroadcaster(IEventStore store, IOptions<GatewayOptions> options)
    {
        _store = store;
        _capacity = options.Value.Streaming.SubscriberQueueCapacity;
        _store.Committed += Publish;
    }

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    public TelemetrySubscription Subscribe()
    {
        var subscription = new TelemetrySubscription(_capacity, Unsubscribe);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    public void Dispose() => _store.Committed -= Publish;

    private void Publish(IReadOnlyList<StoredEvent> committed)
    {
        if (committed.Count == 0)
        {
            return;
        }

        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Offer(committed);
        }
    }

    private void Unsubscribe(TelemetrySubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != subscription)];
        }
    }
}
