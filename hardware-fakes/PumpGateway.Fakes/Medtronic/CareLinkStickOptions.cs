using PumpGateway.Devices.Medtronic;

namespace PumpGateway.Fakes.Medtronic;

/// <summary>What the emulated CareLink stick says about itself and how its radio paces a pump's answer.</summary>
public sealed record CareLinkStickOptions
{
    /// <summary>The ProductInfo of the stick in decocare's captured download (578398/download.log, line 11).</summary>
    public static CareLinkProductInfo CapturedProductInfo { get; } = new(
        "080e00",
        new CareLinkVersion(0, 0),
        CareLinkRfBand.Mhz916_5,
        "ComLink II",
        new CareLinkVersion(1, 16),
        [new CareLinkInterfaceEntry(0, CareLinkInterfaceType.ParadigmRf), new CareLinkInterfaceEntry(1, CareLinkInterfaceType.Usb)]);

    public CareLinkProductInfo ProductInfo { get; init; } = CapturedProductInfo;

    /// <summary>The RSSI SignalStrength reports and each radio reply carries in byte 4 (196 is the capture's first reading).</summary>
    public byte SignalStrength { get; init; } = 196;

    /// <summary>
    /// How the stick cuts a pump's answer into ReadRadio replies, repeated until the answer is out:
    /// the capture reads a page as 64, 128, 128, 64, 128, 128, 64, 128, 128, 64 data bytes.
    /// </summary>
    public IReadOnlyList<int> RadioReadSizes { get; init; } = [64, 128, 128];

    /// <summary>How long after one radio read is in the buffer the next one arrives over the air.</summary>
    public TimeSpan RadioReadInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>A command whose bytes stop arriving for this long is dropped (a USB timeout on the stick's counters).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The largest parameter count a TransmitPacket may declare; a longer one is not a packet the stick frames.</summary>
    public int MaxTransmitParameters { get; init; } = 64;

    /// <summary>Seeds every random choice of <see cref="CareLinkStickEmulator.Faults"/>: the same seed, the same faults.</summary>
    public int FaultSeed { get; init; } = 7;

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        Require(RadioReadSizes.Count > 0 && RadioReadSizes.All(s => s is 64 or 128), "RadioReadSizes holds 64 and 128 only, as the captured stick reads.");
        Require(RadioReadInterval >= TimeSpan.Zero, "RadioReadInterval must not be negative.");
        Require(CommandTimeout > TimeSpan.Zero, "CommandTimeout must be positive.");
        Require(MaxTransmitParameters is > 0 and <= 0x7FFF, "MaxTransmitParameters must be 1 to 32767.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
