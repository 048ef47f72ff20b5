using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

public static class IdsStatusChangedCodec
{
    private const ushort DefinedFlags = 0x00FF;

    public static IdsStatusChanged Decode(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: true, out var counter));
        var flags = reader.U16("status changed flags");
        if ((flags & ~DefinedFlags) != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 1, $"status changed flags 0x{flags:x4} set reserved bits");
        }

        reader.End("IDD Status Changed");
        return new IdsStatusChanged((IdsStatusChangedFlags)flags) { E2eCounter = counter };
    }

    public static byte[] Encode(IdsStatusChanged record, IdsDialect dialect)
    {
        if (((ushort)record.Flags & ~DefinedFlags) != 0)
        {
            throw new ArgumentException($"Status changed flags {record.Flags} set reserved bits.", nameof(record));
        }

        return IdsE2e.Seal(new IdsWriter().U16((ushort)record.Flags), dialect, record.E2eCounter, hasCounter: true);
    }
}

public static class IdsStatusCodec
{
    private const byte ReservoirAttached = 0x01;

    public static IdsStatus Decode(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: true, out var counter));
        var status = new IdsStatus(
            reader.Enum8<IdsTherapyControlState>("therapy control state"),
            reader.Enum8<IdsOperationalState>("operational state"),
            reader.Insulin(dialect, "reservoir remaining amount"),
            (reader.Flags(ReservoirAttached, "status flags") & ReservoirAttached) != 0) { E2eCounter = counter };
        reader.End("IDD Status");
        return status;
    }

    public static byte[] Encode(IdsStatus record, IdsDialect dialect)
    {
        var writer = new IdsWriter()
            .Enum8(record.TherapyControlState, "therapy control state")
            .Enum8(record.OperationalState, "operational state")
            .Insulin(dialect, record.ReservoirRemainingAmount)
            .U8(record.ReservoirAttached ? ReservoirAttached : (byte)0);
        return IdsE2e.Seal(writer, dialect, record.E2eCounter, hasCounter: true);
    }
}

public static class IdsAnnunciationStatusCodec
{
    private const byte AnnunciationPresent = 0x01;
    private const byte DefinedFlags = 0x3F;

    public static IdsAnnunciationStatus Decode(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: true, out var counter));
        var flags = reader.Flags(DefinedFlags, "annunciation flags");
        IdsAnnunciation? annunciation = null;
        if ((flags & AnnunciationPresent) != 0)
        {
            annunciation = new IdsAnnunciation(
                reader.U16("annunciation instance id"),
                reader.Enum16<IdsAnnunciationType>("annunciation type"),
                reader.Enum8<IdsAnnunciationState>("annunciation status"));
            annunciation = annunciation with
            {
                AuxInfo1 = Aux(ref reader, flags, 1),
                AuxInfo2 = Aux(ref reader, flags, 2),
                AuxInfo3 = Aux(ref reader, flags, 3),
                AuxInfo4 = Aux(ref reader, flags, 4),
                AuxInfo5 = Aux(ref reader, flags, 5),
            };
        }
        else if (flags != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 0, $"annunciation flags 0x{flags:x2} announce AuxInfo without an annunciation");
        }

        reader.End("IDD Annunciation Status");
        return new IdsAnnunciationStatus(annunciation) { E2eCounter = counter };
    }

    public static byte[] Encode(IdsAnnunciationStatus record, IdsDialect dialect)
    {
        var writer = new IdsWriter();
        if (record.Annunciation is not { } a)
        {
            writer.U8(0);
        }
        else
        {
            ushort?[] aux = [a.AuxInfo1, a.AuxInfo2, a.AuxInfo3, a.AuxInfo4, a.AuxInfo5];
            var flags = AnnunciationPresent;
            for (var i = 0; i < aux.Length; i++)
            {
                flags |= aux[i] is null ? (byte)0 : (byte)(1 << (i + 1));
            }

            writer.U8(flags).U16(a.InstanceId).Enum16(a.Type, "annunciation type").Enum8(a.Status, "annunciation status");
            foreach (var word in aux)
            {
                if (word is { } present)
                {
                    writer.U16(present);
                }
            }
        }

        return IdsE2e.Seal(writer, dialect, record.E2eCounter, hasCounter: true);
    }

    private static ushort? Aux(ref IdsReader reader, byte flags, int index) =>
        (flags & (1 << index)) != 0 ? reader.U16($"AuxInfo{index}") : null;
}

/// <summary>
/// IDD Features. Unlike the other values it starts with its E2E-CRC, then the E2E-Counter; both are
/// always present, and describe themselves: with the E2E bit clear the CRC must read 0xFFFF and the
/// counter 0, with it set the CRC (over everything after it) is checked in the dialect's variant.
/// </summary>
public static class IdsFeaturesCodec
{
    private const int FlagsOffset = 5;
    private const int StandardFlagOctets = 3;
    private const int MaxFlagOctets = 8;
    private const ushort CrcWithoutE2e = 0xFFFF;
    private const ulong ReservedStandardBits = 0x7F_0000;

    public static IdsFeatures Decode(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(value);
        var crc = reader.U16("E2E-CRC");
        var counter = reader.U8("E2E-Counter");
        var concentration = reader.SFloat("insulin concentration");
        ulong flags = 0;
        for (var octet = 0; ; octet++)
        {
            if (octet == MaxFlagOctets)
            {
                throw new ProtocolException(ProtocolErrorKind.OutOfRange, reader.Offset, $"feature flags extend beyond {MaxFlagOctets * 8} bits");
            }

            flags |= (ulong)reader.U8("feature flags") << (8 * octet);
            if (octet + 1 >= StandardFlagOctets && (flags >> ((8 * (octet + 1)) - 1) & 1) == 0)
            {
                break;
            }
        }

        reader.End("IDD Features");
        if ((flags & ReservedStandardBits) != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, FlagsOffset + 2, $"feature flags set reserved bits 0x{flags & ReservedStandardBits:x6}");
        }

        var features = new IdsFeatures(counter, concentration, flags);
        if (features.E2eProtectionSupported)
        {
            IdsE2e.CheckCrc(value[IdsE2e.CrcSize..], crc, dialect, 0);
        }
        else if (crc != CrcWithoutE2e || counter != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, crc != CrcWithoutE2e ? 0 : 2, $"without E2E protection the CRC must read 0xFFFF and the counter 0, not 0x{crc:x4} and {counter}");
        }

        return features;
    }

    public static byte[] Encode(IdsFeatures record, IdsDialect dialect)
    {
        if ((record.Flags & ReservedStandardBits) != 0)
        {
            throw new ArgumentException("Feature flags set reserved bits 16-22.", nameof(record));
        }

        var octets = StandardFlagOctets;
        while (octets < MaxFlagOctets && (record.Flags >> ((8 * octets) - 1) & 1) != 0)
        {
            octets++;
        }

        if ((record.Flags >> ((8 * octets) - 1) & 1) != 0 || (octets < MaxFlagOctets && record.Flags >> (8 * octets) != 0))
        {
            throw new ArgumentException("Feature flags set bits beyond their last announced octet, or announce a ninth octet.", nameof(record));
        }

        if (!record.E2eProtectionSupported && record.E2eCounter != 0)
        {
            throw new ArgumentException("Without E2E protection the features carry counter 0.", nameof(record));
        }

        var writer = new IdsWriter().U16(0).U8(record.E2eCounter).SFloat(record.InsulinConcentration);
        for (var octet = 0; octet < octets; octet++)
        {
            writer.U8((byte)(record.Flags >> (8 * octet)));
        }

        var bytes = writer.ToArray();
        var crc = record.E2eProtectionSupported ? E2eCrc.Compute(bytes.AsSpan(IdsE2e.CrcSize), dialect.CrcVariant) : CrcWithoutE2e;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, crc);
        return bytes;
    }
}
