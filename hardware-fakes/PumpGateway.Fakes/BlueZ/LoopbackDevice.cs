using System.Threading.Channels;

namespace PumpGateway.Fakes.BlueZ;

/// <summary>
/// Fault switches of one emulated link. Counts are consumed as the faults happen; all are
/// thread-safe and can be changed while the link runs.
/// </summary>
public sealed class LoopbackFaults
{
    private int _refuseWrites;
    private int _loseNotifications;
    private int _dropAfterNotifications;
    private long _delayTicks;
    private readonly Lock _gate = new();
    private Random _random = new(7);
    private double _corruptByteProbability;
    private double _duplicateNotificationProbability;
    private double _stallProbability;
    private TimeSpan _stallDuration = TimeSpan.FromSeconds(1);
    private long _bytesCorrupted;
    private long _notificationsDuplicated;
    private long _notificationsStalled;

    /// <summary>Added before every relayed operation (connect, read, write, notification), in order.</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>Each byte of a notification or indication is flipped (XOR a random non-zero value) with this chance: a bit error the link layer let through.</summary>
    public double CorruptByteProbability
    {
        get => Read(ref _corruptByteProbability);
        set => SetProbability(ref _corruptByteProbability, value);
    }

    /// <summary>The chance that a notification or indication is delivered twice (a retransmission the central sees again).</summary>
    public double DuplicateNotificationProbability
    {
        get => Read(ref _duplicateNotificationProbability);
        set => SetProbability(ref _duplicateNotificationProbability, value);
    }

    /// <summary>The chance that a notification or indication is held back for <see cref="StallDuration"/> (the link stalls, later traffic waits behind it).</summary>
    public double StallProbability
    {
        get => Read(ref _stallProbability);
        set => SetProbability(ref _stallProbability, value);
    }

    public TimeSpan StallDuration
    {
        get
        {
            lock (_gate)
            {
                return _stallDuration;
            }
        }

        set
        {
            lock (_gate)
            {
                _stallDuration = value;
            }
        }
    }

    /// <summary>Notification bytes flipped by <see cref="CorruptByteProbability"/> so far.</summary>
    public long BytesCorrupted => Interlocked.Read(ref _bytesCorrupted);

    /// <summary>Notifications delivered twice by <see cref="DuplicateNotificationProbability"/> so far.</summary>
    public long NotificationsDuplicated => Interlocked.Read(ref _notificationsDuplicated);

    /// <summary>Notifications held back by <see cref="StallProbability"/> so far.</summary>
    public long NotificationsStalled => Interlocked.Read(ref _notificationsStalled);

    /// <summary>Seeds every random choice of these switches: the same seed, the same faults.</summary>
    public void Seed(int seed)
    {
        lock (_gate)
        {
            _random = new Random(seed);
        }
    }

    /// <summary>The next <paramref name="count"/> writes are answered with org.bluez.Error.Failed and never reach the device.</summary>
    public void RefuseNextWrites(int count) => Volatile.Write(ref _refuseWrites, count);

    /// <summary>The next <paramref name="count"/> notifications or indications vanish on the air.</summary>
    public void LoseNextNotifications(int count) => Volatile.Write(ref _loseNotifications, count);

    /// <summary>After <paramref name="count"/> more notifications are delivered the link drops; 0 turns it off.</summary>
    public void DropLinkAfterNotifications(int count) => Volatile.Write(ref _dropAfterNotifications, count);

    internal bool TakeWriteRefusal() => Take(ref _refuseWrites);

    internal bool TakeNotificationLoss() => Take(ref _loseNotifications);

    /// <summary>Counts one delivered notification; true when it was the last before the link drops.</summary>
    internal bool CountTowardsDrop()
    {
        while (true)
        {
            var current = Volatile.Read(ref _dropAfterNotifications);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _dropAfterNotifications, current - 1, current) == current)
            {
                return current == 1;
            }
        }
    }

    /// <summary>The value as the air delivers it: the same array when no byte was hit.</summary>
    internal byte[] CorruptBytes(byte[] value)
    {
        lock (_gate)
        {
            return LineNoise.Corrupt(_random, _corruptByteProbability, value, value.Length, ref _bytesCorrupted);
        }
    }

    internal bool TakeDuplicate()
    {
        if (!Chance(ref _duplicateNotificationProbability))
        {
            return false;
        }

        Interlocked.Increment(ref _notificationsDuplicated);
        return true;
    }

    internal TimeSpan? TakeStall()
    {
        if (!Chance(ref _stallProbability))
        {
            return null;
        }

        Interlocked.Increment(ref _notificationsStalled);
        return StallDuration;
    }

    internal Task DelayAsync(CancellationToken cancellationToken) =>
        Delay > TimeSpan.Zero ? Task.Delay(Delay, cancellationToken) : Task.CompletedTask;

    private bool Chance(ref double probability)
    {
        lock (_gate)
        {
            return LineNoise.Chance(_random, probability);
        }
    }

    private double Read(ref double value)
    {
        lock (_gate)
        {
            return value;
        }
    }

    private void SetProbability(ref double field, double value)
    {
        var probability = LineNoise.Probability(value);
        lock (_gate)
        {
            field = probability;
        }
    }

    private static bool Take(ref int counter)
    {
        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}

/// <summary>What crossed one emulated link, for tests and for the loopback's own report.</summary>
public sealed class LoopbackLinkCounters
{
    private long _connects;
    private long _reads;
    private long _writes;
    private long _writesRefused;
    private long _notifications;
    private long _notificationsLost;
    private long _linksDropped;

    public long Connects => Interlocked.Read(ref _connects);

    public long Reads => Interlocked.Read(ref _reads);

    public long Writes => Interlocked.Read(ref _writes);

    public long WritesRefused => Interlocked.Read(ref _writesRefused);

    public long Notifications => Interlocked.Read(ref _notifications);

    public long NotificationsLost => Interlocked.Read(ref _notificationsLost);

    public long LinksDropped => Interlocked.Read(ref _linksDropped);

    internal void AddConnect() => Interlocked.Increment(ref _connects);

    internal void AddRead() => Interlocked.Increment(ref _reads);

    internal void AddWrite() => Interlocked.Increment(ref _writes);

    internal void AddWriteRefused() => Interlocked.Increment(ref _writesRefused);

    internal void AddNotification() => Interlocked.Increment(ref _notifications);

    internal void AddNotificationLost() => Interlocked.Increment(ref _notificationsLost);

    internal void AddLinkDropped() => Interlocked.Increment(ref _linksDropped);
}

/// <summary>
/// An emulated peripheral as centrals see it: a Device1 object with an address, and its link.
/// Everything that crosses the link (connect, reads, writes, notifications) runs through one
/// ordered queue, as over one ATT bearer: a delay fault delays, it never reorders.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The link's pump disposes its token source when the link closes.")]
public sealed class LoopbackDevice
{
    private readonly Channel<Func<Task>> _link = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closed = new();
    private readonly Func<LoopbackDevice, Task> _dropLink;
    private readonly Action<LoopbackDevice, Exception> _onError;

    internal LoopbackDevice(string address, string path, string? name, Func<LoopbackDevice, Task> dropLink, Action<LoopbackDevice, Exception> onError)
    {
        Address = address;
        Path = path;
        Name = name;
        _dropLink = dropLink;
        _onError = onError;
        _ = Task.Run(PumpAsync);
    }

    public string Address { get; }

    /// <summary>The Device1 object path centrals use.</summary>
    public string Path { get; }

    /// <summary>The advertised local name.</summary>
    public string? Name { get; }

    public LoopbackFaults Faults { get; } = new();

    public LoopbackLinkCounters Counters { get; } = new();

    public bool IsConnected { get; internal set; }

    /// <summary>Central object path of each characteristic or descriptor, to the peripheral's own object path.</summary>
    internal Dictionary<string, LoopbackAttribute> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>Central paths of the characteristics notifying now.</summary>
    internal HashSet<string> Notifying { get; } = new(StringComparer.Ordinal);

    internal CancellationToken Closed => _closed.Token;

    /// <summary>Drops the link as if the radio lost it: the central sees Connected=false.</summary>
    public Task DropLinkAsync() => RunAsync(() => _dropLink(this));

    /// <summary>Runs <paramref name="work"/> in link order and waits for it.</summary>
    internal Task RunAsync(Func<Task> work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_link.Writer.TryWrite(async () =>
        {
            try
            {
                await work();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }))
        {
            done.TrySetException(new ObjectDisposedException(Address, "the emulated device is gone"));
        }

        return done.Task;
    }

    /// <summary>Queues <paramref name="work"/> in link order without waiting (a notification from the peripheral).</summary>
    internal void Post(Func<Task> work) => _link.Writer.TryWrite(work);

    internal void Close()
    {
        _link.Writer.TryComplete();
        _closed.Cancel();
    }

    private async Task PumpAsync()
    {
        await foreach (var work in _link.Reader.ReadAllAsync())
        {
            try
            {
                await work();
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                // The device went away with work still queued.
            }
            catch (Exception ex)
            {
                // One relayed notification failing must not stop the link.
                _onError(this, ex);
            }
        }

        _closed.Dispose();
    }
}

/// <summary>A characteristic or descriptor of a connected device: its object on each side of the loopback.</summary>
internal sealed record LoopbackAttribute(string CentralPath, string PeripheralPath, string Interface, IReadOnlyList<string> Flags)
{
    public bool IndicateOnly => Flags.Contains("indicate") && !Flags.Contains("notify");
}
