namespace PumpGateway.Fakes;

/// <summary>A fault armed for the next N occasions (replies, packets): each occasion takes one. Thread-safe.</summary>
internal sealed class FaultCountdown
{
    private int _remaining;

    public void Arm(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Volatile.Write(ref _remaining, count);
    }

    /// <summary>True, once per armed count, for the occasion that should fail.</summary>
    public bool TryTake()
    {
        while (true)
        {
            var remaining = Volatile.Read(ref _remaining);
            if (remaining <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _remaining, remaining - 1, remaining) == remaining)
            {
                return true;
            }
        }
    }
}
