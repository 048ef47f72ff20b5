using System.Buffers.Binary;

namespace PumpGateway.Devices.Cgms;

/// <summary>How long the session is expected to run, in hours from its start.</summary>
public sealed record CgmSessionRunTime(ushort Hours);

/// <summary>CGM Session Run Time (0x2AAB): u16 hours, E2E-CRC if supported.</summary>
public static class CgmSessionRunTimeCodec
{
    private const int PayloadSize = 2;

    public static CgmSessionRunTime Decode(ReadOnlySpan<byte> value, CgmsE2e e2e) =>
        new(BinaryPrimitives.ReadUInt16LittleEndian(CgmsWire.Unseal(value, PayloadSize, e2e, "CGM Session Run Time")));

    public static byte[] Encode(CgmSessionRunTime runTime, CgmsE2e e2e)
    {
        var value = CgmsWire.Allocate(PayloadSize, e2e);
        BinaryPrimitives.WriteUInt16LittleEndian(value, runTime.Hours);
        return CgmsWire.Seal(value, e2e);
    }
}
