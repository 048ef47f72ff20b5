using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using PumpGateway.Ports;
using PumpGateway.Service.Hosting;

namespace PumpGateway.Service.Streaming;

/// <summary>
/// The Subscribe stream, independent of gRPC: every stored event after a cursor, then live ones,
/// in sequence order, each once, with heartbeats while idle.
/// </summary>
internal sealed class TelemetryFeed
{
    private readonly IEventStore _store;
    private readonly TelemetryBroadcaster _broadcaster;
    private readonly TimeProvider _clock;
    private readonly StreamingOptions _options;

    public TelemetryFeed(IEventStore store, TelemetryBroadcaster broadcaster, IOptions<GatewayOptions> options, TimeProvider clock)
    {
        _store = store;
        _broadcaster = broadcaster;
        _clock = clock;
        _options = options.Value.Streaming;
    }

    /// <param name="afterSequence">Only events with a greater sequence.</param>
    /// <param name="filter">Which events the subscriber wants; the others still advance the cursor.</param>
    public async IAsyncEnumerable<FeedItem> ReadAsync(long afterSequence, Func<StoredEvent, bool> filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Subscribe before reading the store, so that nothing committed in between is missed:
        // whatever is both read from the store and queued is skipped by the cursor.
        using var subscription = _broadcaster.Subscribe();
        var cursor = afterSequence;
        Task<bool>? pendingWait = null;

        while (true)
        {
            subscription.Reset();
            while (true)
            {
                var batch = await _store.ReadAfterAsync(cursor, _options.CatchUpBatchSize, cancellationToken);
                foreach (var stored in batch)
                {
                    cursor = stored.Sequence;
                    if (filter(stored))
                    {
                        yield return FeedItem.ForEvent(stored);
                    }
                }

                if (batch.Count < _options.CatchUpBatchSize)
                {
                    break;
                }
            }

            var gap = false;
            while (!gap && !subscription.Overflowed)
            {
                pendingWait ??= subscription.Reader.WaitToReadAsync(cancellationToken).AsTask();
                var heartbeatDue = Task.Delay(_options.HeartbeatInterval, _clock, cancellationToken);
                if (await Task.WhenAny(pendingWait, heartbeatDue) != pendingWait)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return FeedItem.ForHeartbeat(await _store.GetHeadSequenceAsync(cancellationToken), _clock.GetUtcNow());
                    continue;
                }

                if (!await pendingWait)
                {
                    yield break;
                }

                pendingWait = null;
                while (!gap && subscription.Reader.TryRead(out var batch))
                {
                    subscription.Taken(batch);
                    if (batch.Count > 0 && batch[0].Sequence > cursor + 1)
                    {
                        // Batches arrive in commit order, so a hole means something was not
                        // queued for us: the store has it.
                        gap = true;
                        break;
                    }

                    foreach (var stored in batch)
                    {
                        if (stored.Sequence <= cursor)
                        {
                            continue;
                        }

                        cursor = stored.Sequence;
                        if (filter(stored))
                        {
                            yield return FeedItem.ForEvent(stored);
                        }
                    }
                }
            }
        }
    }
}

internal readonly record struct FeedItem(StoredEvent? Event, long HeadSequence, DateTimeOffset HeartbeatTime)
{
    public static FeedItem ForEvent(StoredEvent stored) => new(stored, 0, default);

    public static FeedItem ForHeartbeat(long head, DateTimeOffset time) => new(null, head, time);
}
