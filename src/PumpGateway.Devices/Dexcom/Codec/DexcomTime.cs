namespace PumpGateway.Devices.Dexcom;

/// <summary>Receiver times are u32 seconds since 2009-01-01T00:00:00.</summary>
public static class DexcomTime
{
    public static readonly DateTime Epoch = new(2009, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    public static DateTime ToDateTime(uint seconds) => Epoch.AddSeconds(seconds);

    /// <summary>The receiver's count for <paramref name="time"/>; outside the u32 range is an error, not a wrap.</summary>
    public static uint ToSeconds(DateTime time)
    {
        var seconds = (long)Math.Floor((DateTime.SpecifyKind(time, DateTimeKind.Unspecified) - Epoch).TotalSeconds);
        return seconds is >= 0 and <= uint.MaxValue
            ? (uint)seconds
            : throw new ArgumentOutOfRangeException(nameof(time), time, "A receiver time lies between 2009-01-01 and 2145.");
    }
}
