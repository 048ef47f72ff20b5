using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Cgms;

/// <summary>
/// Whether a sensor's values carry the E2E-CRC (its CGM Feature says so) and which bit order the
/// device computes it in: the specification's, unless the device is known to speak a dialect.
/// </summary>
public readonly record struct CgmsE2e(bool CrcPresent, E2eCrcVariant Variant = E2eCrcVariant.Specification)
{
    public static CgmsE2e Off { get; }

    public static CgmsE2e On { get; } = new(true);

    public int CrcLength => CrcPresent ? CgmsWire.CrcSize : 0;

    public static CgmsE2e For(CgmFeature feature, E2eCrcVariant variant = E2eCrcVariant.Specification) => new(feature.E2eCrcSupported, variant);
}

/// <summary>Length, CRC and field checks every CGMS value shares.</summary>
internal static class CgmsWire
{
    public const int CrcSize = 2;

    /// <summary>The value without its CRC, once its exact length and (if present) CRC are right.</summary>
    public static ReadOnlySpan<byte> Unseal(ReadOnlySpan<byte> value, int payloadLength, CgmsE2e e2e, string what)
    {
        RequireLength(value, payloadLength + e2e.CrcLength, what);
        CheckCrc(value, e2e);
        return value[..payloadLength];
    }

    /// <summary>A value of variable length: at least <paramref name="minimumPayload"/> bytes before the CRC.</summary>
    public static ReadOnlySpan<byte> UnsealAtLeast(ReadOnlySpan<byte> value, int minimumPayload, CgmsE2e e2e, string what)
    {
        if (value.Length < minimumPayload + e2e.CrcLength)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, value.Length, $"a {what} is at least {minimumPayload + e2e.CrcLength} bytes, got {value.Length}");
        }

        CheckCrc(value, e2e);
        return value[..^e2e.CrcLength];
    }

    /// <param name="baseOffset">Where <paramref name="value"/> starts in the whole notification, for the error offset.</param>
    public static void CheckCrc(ReadOnlySpan<byte> value, CgmsE2e e2e, int baseOffset = 0)
    {
        if (!e2e.CrcPresent)
        {
            return;
        }

        var crcOffset = value.Length - CrcSize;
        var sent = BinaryPrimitives.ReadUInt16LittleEndian(value[crcOffset..]);
        var computed = E2eCrc.Compute(value[..crcOffset], e2e.Variant);
        if (sent != computed)
        {
            throw new ProtocolException(ProtocolErrorKind.BadCrc, baseOffset + crcOffset, $"E2E-CRC is 0x{sent:x4}, computed 0x{computed:x4}");
        }
    }

    /// <summary>A buffer for <paramref name="payloadLength"/> bytes and room for the CRC; <see cref="Seal"/> fills the CRC in.</summary>
    public static byte[] Allocate(int payloadLength, CgmsE2e e2e) => new byte[payloadLength + e2e.CrcLength];

    public static byte[] Seal(byte[] value, CgmsE2e e2e)
    {
        SealInPlace(value, e2e);
        return value;
    }

    public static void SealInPlace(Span<byte> value, CgmsE2e e2e)
    {
        if (e2e.CrcPresent)
        {
            var crcOffset = value.Length - CrcSize;
            BinaryPrimitives.WriteUInt16LittleEndian(value[crcOffset..], E2eCrc.Compute(value[..crcOffset], e2e.Variant));
        }
    }

    public static void RequireLength(ReadOnlySpan<byte> value, int length, string what)
    {
        if (value.Length != length)
        {
            throw new ProtocolException(
                value.Length < length ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength,
                Math.Min(value.Length, length),
                $"a {what} is {length} bytes, got {value.Length}");
        }
    }

    /// <summary>Rejects an octet with a bit set outside <paramref name="definedMask"/>.</summary>
    public static T DefinedBits<T>(byte octet, byte definedMask, int offset, string what)
        where T : struct, Enum
    {
        var undefined = octet & ~definedMask;
        return undefined == 0
            ? (T)Enum.ToObject(typeof(T), octet)
            : throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset, $"{what} has reserved bits 0x{undefined:x2} set");
    }

    public static T Defined<T>(byte raw, int offset, string what)
        where T : struct, Enum
    {
        var value = (T)Enum.ToObject(typeof(T), raw);
        return Enum.IsDefined(value) ? value : throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset, $"{what} {raw} is reserved");
    }

    public static T RequireDefined<T>(T value, string parameter)
        where T : struct, Enum =>
        Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(parameter, value, $"not a defined {typeof(T).Name}");

    public static MedicalFloat ReadSFloat(ReadOnlySpan<byte> value, int offset) => MedicalFloat.ReadSFloat(value[offset..], offset);

    public static void WriteSFloat(Span<byte> destination, MedicalFloat value) => value.WriteSFloat(destination);
}
