namespace PumpGateway.Fakes.Dexcom;

/// <summary>
/// Fault switches of an emulated receiver, settable while it runs: each "next N" switch applies
/// to the next N replies and then turns itself off.
/// </summary>
public sealed class DexcomFaults
{
    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly FaultCountdown _nakReplies = new();
    private readonly FaultCountdown _corruptReplies = new();
    private readonly FaultCountdown _stalledReplies = new();
    private readonly FaultCountdown _garbageReplies = new();

    public DexcomFaults(int seed = 7)
    {
        _random = new Random(seed);
    }

    /// <summary>Drop the link (hang up the port) once this many reply bytes have been sent in total.</summary>
    public long? DropLinkAfterBytes { get; set; }

    /// <summary>How long a stalled reply is held back.</summary>
    public TimeSpan StallDuration { get; set; } = TimeSpan.FromSeconds(5);

    public void NakNext(int replies) => _nakReplies.Arm(replies);

    /// <summary>Flip one byte at a random position of each of the next replies.</summary>
    public void CorruptNext(int replies) => _corruptReplies.Arm(replies);

    public void StallNext(int replies) => _stalledReplies.Arm(replies);

    /// <summary>Send random bytes (no start-of-frame among them) before each of the next replies.</summary>
    public void GarbageBeforeNext(int replies) => _garbageReplies.Arm(replies);

    internal bool TakeNak() => _nakReplies.TryTake();

    internal TimeSpan? TakeStall() => _stalledReplies.TryTake() ? StallDuration : null;

    internal int? TakeCorruption(int length)
    {
        lock (_gate)
        {
            return _corruptReplies.TryTake() ? _random.Next(0, length) : null;
        }
    }

    internal byte[]? TakeGarbage()
    {
        lock (_gate)
        {
            if (!_garbageReplies.TryTake())
            {
                return null;
            }

            var garbage = new byte[_random.Next(1, 64)];
            _random.NextBytes(garbage);
            for (var i = 0; i < garbage.Length; i++)
            {
                garbage[i] = garbage[i] == 0x01 ? (byte)0x02 : garbage[i];
            }

            return garbage;
        }
    }
}
