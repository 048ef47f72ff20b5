using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Cgms;

/// <summary>What a sensor supports, and what it measures where.</summary>
public sealed record CgmFeature(CgmFeatures Features, CgmType Type, CgmSampleLocation SampleLocation)
{
    /// <summary>Whether every other CGMS value of this sensor carries the E2E-CRC.</summary>
    public bool E2eCrcSupported => Features.HasFlag(CgmFeatures.E2eCrcSupported);
}

/// <summary>
/// CGM Feature (0x2AA8): 24 feature bits, the Type-Sample Location octet (type in the low nibble,
/// location in the high one) and an E2E-CRC field that is always there: the CRC of the first four
/// bytes when the sensor supports E2E, 0xFFFF when it does not. The value itself says whether E2E
/// is on, so only the device's CRC bit order is a setting here.
/// </summary>
public static class CgmFeatureCodec
{
    public const int Size = 6;
    public const ushort CrcWhenE2eUnsupported = 0xFFFF;
    private const uint DefinedFeatures = 0x01FFFF;
    private const int CrcOffset = 4;

    public static CgmFeature Decode(ReadOnlySpan<byte> value, E2eCrcVariant variant = E2eCrcVariant.Specification)
    {
        CgmsWire.RequireLength(value, Size, "CGM Feature");
        var raw = value[0] | ((uint)value[1] << 8) | ((uint)value[2] << 16);

        // The CRC goes first: when it is wrong, nothing else in the value can be trusted.
        if ((raw & (uint)CgmFeatures.E2eCrcSupported) != 0)
        {
            CgmsWire.CheckCrc(value, new CgmsE2e(true, variant));
        }
        else if (BinaryPrimitives.ReadUInt16LittleEndian(value[CrcOffset..]) != CrcWhenE2eUnsupported)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, CrcOffset, "without E2E support the E2E-CRC field must read 0xFFFF");
        }

        if ((raw & ~DefinedFeatures) != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 2, $"reserved feature bits 0x{raw & ~DefinedFeatures:x6} are set");
        }

        var features = (CgmFeatures)raw;
        var type = CgmsWire.Defined<CgmType>((byte)(value[3] & 0x0F), 3, "CGM type");
        var location = CgmsWire.Defined<CgmSampleLocation>((byte)(value[3] >> 4), 3, "CGM sample location");
        return new CgmFeature(features, type, location);
    }

    public static byte[] Encode(CgmFeature feature, E2eCrcVariant variant = E2eCrcVariant.Specification)
    {
        var raw = (uint)feature.Features;
        if ((raw & ~DefinedFeatures) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(feature), feature.Features, "reserved feature bits are set");
        }

        var value = new byte[Size];
        value[0] = (byte)raw;
        value[1] = (byte)(raw >> 8);
        value[2] = (byte)(raw >> 16);
        value[3] = TypeSampleLocation(feature.Type, feature.SampleLocation);
        if (feature.E2eCrcSupported)
        {
            CgmsWire.SealInPlace(value, new CgmsE2e(true, variant));
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(CrcOffset), CrcWhenE2eUnsupported);
        }

        return value;
    }

    internal static byte TypeSampleLocation(CgmType type, CgmSampleLocation location) =>
        (byte)((byte)CgmsWire.RequireDefined(type, nameof(type)) | ((byte)CgmsWire.RequireDefined(location, nameof(location)) << 4));
}
