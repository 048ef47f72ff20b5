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
    private double _corruptByteProbability;
    private double _duplicateReplyProbability;
    private double _stallProbability;
    private long _bytesCorrupted;
    private long _repliesDuplicated;
    private long _repliesStalled;

    public DexcomFaults(int seed = 7)
    {
        _random = new Random(seed);
    }

    /// <summary>Drop the link (hang up the port) once this many reply bytes have been sent in total.</summary>
    public long? DropLinkAfterBytes { get; set; }

    /// <summary>How long a stalled reply is held back.</summary>
    public TimeSpan StallDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Each reply byte is flipped (XOR a random non-zero value) with this chance: line noise, seeded.</summary>
    public double CorruptByteProbability
    {
        get => Read(ref _corruptByteProbability);
        set => SetProbability(ref _corruptByteProbability, value);
    }

    /// <summary>The chance that a reply is sent twice, back to back (a frame repeated on the line).</summary>
    public double DuplicateReplyProbability
    {
        get => Read(ref _duplicateReplyProbability);
        set => SetProbability(ref _duplicateReplyProbability, value);
    }

    /// <summary>The chance that a reply is held back for <see cref="StallDuration"/> before it is sent.</summary>
    public double StallProbability
    {
        get => Read(ref _stallProbability);
        set => SetProbability(ref _stallProbability, value);
    }

    /// <summary>Reply bytes flipped by <see cref="CorruptByteProbability"/> so far.</summary>
    public long BytesCorrupted => Interlocked.Read(ref _bytesCorrupted);

    /// <summary>Replies sent twice by <see cref="DuplicateReplyProbability"/> so far.</summary>
    public long RepliesDuplicated => Interlocked.Read(ref _repliesDuplicated);

    /// <summary>Replies held back by <see cref="StallProbability"/> so far.</summary>
    public long RepliesStalled => Interlocked.Read(ref _repliesStalled);

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

    /// <summary>The reply as the noisy line delivers it: the same array when no byte was hit.</summary>
    internal byte[] CorruptBytes(byte[] reply)
    {
        lock (_gate)
        {
            return LineNoise.Corrupt(_random, _corruptByteProbability, reply, reply.Length, ref _bytesCorrupted);
        }
    }

    internal bool TakeDuplicate()
    {
        lock (_gate)
        {
            if (LineNoise.Chance(_random, _duplicateReplyProbability))
            {
                _repliesDuplicated++;
                return true;
            }

            return false;
        }
    }

    internal TimeSpan? TakeRandomStall()
    {
        lock (_gate)
        {
            if (LineNoise.Chance(_random, _stallProbability))
            {
                _repliesStalled++;
                return StallDuration;
            }

            return null;
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
}
