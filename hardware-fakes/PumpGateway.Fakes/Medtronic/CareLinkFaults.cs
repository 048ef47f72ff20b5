namespace PumpGateway.Fakes.Medtronic;

/// <summary>
/// Fault switches of an emulated CareLink stick and the radio behind it, settable while it runs.
/// Each "next N" switch applies to the next N occasions and then turns itself off; the weak radio
/// stays until set back to 0. Every random choice comes from one seeded generator.
/// </summary>
public sealed class CareLinkFaults
{
    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly FaultCountdown _corruptReplies = new();
    private readonly FaultCountdown _stalledReplies = new();
    private readonly FaultCountdown _nakTransmits = new();
    private double _noAnswerProbability;
    private double _badFrameProbability;
    private double _corruptByteProbability;
    private double _duplicateReplyProbability;
    private double _stallProbability;
    private long _bytesCorrupted;
    private long _repliesDuplicated;
    private long _repliesStalled;

    public CareLinkFaults(int seed = 7)
    {
        _random = new Random(seed);
    }

    /// <summary>Hang up the pty once this many reply bytes have been sent in total.</summary>
    public long? DropLinkAfterBytes { get; set; }

    /// <summary>How long a stalled reply is held back.</summary>
    public TimeSpan StallDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The chance that the pump does not answer a command at all (the stick's radio times out).</summary>
    public double NoAnswerProbability
    {
        get => Read(ref _noAnswerProbability);
        set => SetProbability(ref _noAnswerProbability, value);
    }

    /// <summary>The chance that a radio read arrives with a bad CRC-8 over its data (the pump's frame was hit on the air).</summary>
    public double BadFrameProbability
    {
        get => Read(ref _badFrameProbability);
        set => SetProbability(ref _badFrameProbability, value);
    }

    /// <summary>Each reply byte a reader checks or reads is flipped (XOR a random non-zero value) with this chance: USB line noise, seeded.</summary>
    public double CorruptByteProbability
    {
        get => Read(ref _corruptByteProbability);
        set => SetProbability(ref _corruptByteProbability, value);
    }

    /// <summary>The chance that a reply is sent twice, back to back.</summary>
    public double DuplicateReplyProbability
    {
        get => Read(ref _duplicateReplyProbability);
        set => SetProbability(ref _duplicateReplyProbability, value);
    }

    /// <summary>The chance that a reply is held back for <see cref="StallDuration"/>.</summary>
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

    /// <summary>Flip one byte of each of the next replies (among the bytes a reader checks or reads).</summary>
    public void CorruptNext(int replies) => _corruptReplies.Arm(replies);

    public void StallNext(int replies) => _stalledReplies.Arm(replies);

    /// <summary>The stick NAKs the next TransmitPackets instead of sending them over the air.</summary>
    public void NakNextTransmits(int packets) => _nakTransmits.Arm(packets);

    /// <summary>A weak radio: both chances at once; 0 and 0 is a clean link.</summary>
    public void WeakRadio(double noAnswerProbability, double badFrameProbability)
    {
        NoAnswerProbability = noAnswerProbability;
        BadFrameProbability = badFrameProbability;
    }

    internal bool TakeNakTransmit() => _nakTransmits.TryTake();

    internal TimeSpan? TakeStall() => _stalledReplies.TryTake() ? StallDuration : null;

    /// <summary>Where to flip a byte of the next reply, if it is to be corrupted: a position below <paramref name="significant"/>.</summary>
    internal int? TakeCorruption(int significant)
    {
        lock (_gate)
        {
            return _corruptReplies.TryTake() ? _random.Next(0, significant) : null;
        }
    }

    /// <summary>The reply as the noisy line delivers it (bytes below <paramref name="significant"/> only): the same array when no byte was hit.</summary>
    internal byte[] CorruptBytes(byte[] reply, int significant)
    {
        lock (_gate)
        {
            return LineNoise.Corrupt(_random, _corruptByteProbability, reply, significant, ref _bytesCorrupted);
        }
    }

    internal bool TakeDuplicate()
    {
        if (!Chance(ref _duplicateReplyProbability))
        {
            return false;
        }

        Interlocked.Increment(ref _repliesDuplicated);
        return true;
    }

    internal TimeSpan? TakeRandomStall()
    {
        if (!Chance(ref _stallProbability))
        {
            return null;
        }

        Interlocked.Increment(ref _repliesStalled);
        return StallDuration;
    }

    internal bool PumpMissesCommand() => Chance(ref _noAnswerProbability);

    internal bool FrameHitOnTheAir() => Chance(ref _badFrameProbability);

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
}
