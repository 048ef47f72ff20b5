using System.Buffers.Binary;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Cgms;

/// <summary>The sensor's current status: all three annunciation octets, as of the time offset.</summary>
public sealed record CgmStatus(ushort TimeOffsetMinutes, CgmStatusAnnunciation Status, CgmCalTempAnnunciation CalTemp, CgmWarningAnnunciation Warning);

/// <summary>CGM Status (0x2AA9): time offset u16, the Status, Cal/Temp and Warning octets, E2E-CRC if supported.</summary>
public static class CgmStatusCodec
{
    private const int PayloadSize = 5;

    public static CgmStatus Decode(ReadOnlySpan<byte> value, CgmsE2e e2e)
    {
        var payload = CgmsWire.Unseal(value, PayloadSize, e2e, "CGM Status");
        return new CgmStatus(
            BinaryPrimitives.ReadUInt16LittleEndian(payload),
            CgmsWire.DefinedBits<CgmStatusAnnunciation>(payload[2], CgmMeasurementCodec.DefinedStatusBits, 2, "Status octet"),
            CgmsWire.DefinedBits<CgmCalTempAnnunciation>(payload[3], CgmMeasurementCodec.DefinedCalTempBits, 3, "Cal/Temp octet"),
            (CgmWarningAnnunciation)payload[4]);
    }

    public static byte[] Encode(CgmStatus status, CgmsE2e e2e)
    {
        var value = CgmsWire.Allocate(PayloadSize, e2e);
        BinaryPrimitives.WriteUInt16LittleEndian(value, status.TimeOffsetMinutes);
        value[2] = CgmMeasurementCodec.RequireBits((byte)status.Status, CgmMeasurementCodec.DefinedStatusBits, nameof(status));
        value[3] = CgmMeasurementCodec.RequireBits((byte)status.CalTemp, CgmMeasurementCodec.DefinedCalTempBits, nameof(status));
        value[4] = (byte)status.Warning;
        return CgmsWire.Seal(value, e2e);
    }
}
