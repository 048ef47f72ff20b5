using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

/// <summary>A characteristic value that carries an E2E-Counter when the device uses E2E protection.</summary>
public abstract record IdsE2eProtectedValue
{
    /// <summary>The E2E-Counter sent with the value; null when E2E protection is off. Its sequence is checked by <see cref="IdsE2eCounter"/>.</summary>
    public byte? E2eCounter { get; init; }
}

/// <summary>
/// The E2E trailer most values end with: E2E-Counter (if the value has one) then E2E-CRC, the CRC
/// covering every byte before it, counter included. The CRC is checked before any field is read,
/// so a damaged value is reported as such and never half-parsed.
/// </summary>
internal static class IdsE2e
{
    public const int CrcSize = 2;

    public static ReadOnlySpan<byte> Open(ReadOnlySpan<byte> value, IdsDialect dialect, bool hasCounter, out byte? counter)
    {
        counter = null;
        if (!dialect.E2eProtection)
        {
            return value;
        }

        var trailer = CrcSize + (hasCounter ? 1 : 0);
        if (value.Length < trailer)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, value.Length, $"an E2E-protected value ends with {trailer} trailer bytes; it has {value.Length} bytes");
        }

        var crcOffset = value.Length - CrcSize;
        CheckCrc(value[..crcOffset], BinaryPrimitives.ReadUInt16LittleEndian(value[crcOffset..]), dialect, crcOffset);
        if (hasCounter)
        {
            counter = value[crcOffset - 1];
        }

        return value[..^trailer];
    }

    public static byte[] Seal(IdsWriter body, IdsDialect dialect, byte? counter, bool hasCounter)
    {
        if (!dialect.E2eProtection)
        {
            return counter is null ? body.ToArray() : throw new ArgumentException("E2E protection is off: the value carries no E2E-Counter.", nameof(counter));
        }

        if (hasCounter)
        {
            body.U8(counter ?? throw new ArgumentException("E2E protection is on: the value needs its E2E-Counter.", nameof(counter)));
        }

        return body.U16(E2eCrc.Compute(body.Written, dialect.CrcVariant)).ToArray();
    }

    public static void CheckCrc(ReadOnlySpan<byte> covered, ushort stored, IdsDialect dialect, int crcOffset)
    {
        var computed = E2eCrc.Compute(covered, dialect.CrcVariant);
        if (stored != computed)
        {
            throw new ProtocolException(ProtocolErrorKind.BadCrc, crcOffset, $"E2E-CRC is 0x{stored:x4}, computed 0x{computed:x4} ({dialect.CrcVariant})");
        }
    }
}
