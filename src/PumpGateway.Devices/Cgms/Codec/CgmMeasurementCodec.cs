using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Cgms;

/// <summary>
/// One CGM Measurement record. An optional field is null when absent; the flags on the wire
/// follow from which fields are present, so a record cannot disagree with its flags.
/// </summary>
/// <param name="TimeOffsetMinutes">Minutes since the session start time.</param>
public sealed record CgmMeasurement(
    MedicalFloat GlucoseMgDl,
    ushort TimeOffsetMinutes,
    CgmStatusAnnunciation? Status = null,
    CgmCalTempAnnunciation? CalTemp = null,
    CgmWarningAnnunciation? Warning = null,
    MedicalFloat? TrendMgDlPerMinute = null,
    MedicalFloat? QualityPercent = null)
{
    public CgmMeasurementFlags Flags =>
        (TrendMgDlPerMinute is null ? 0 : CgmMeasurementFlags.TrendPresent)
        | (QualityPercent is null ? 0 : CgmMeasurementFlags.QualityPresent)
        | (Warning is null ? 0 : CgmMeasurementFlags.WarningOctetPresent)
        | (CalTemp is null ? 0 : CgmMeasurementFlags.CalTempOctetPresent)
        | (Status is null ? 0 : CgmMeasurementFlags.StatusOctetPresent);
}

/// <summary>
/// CGM Measurement (0x2AA7). A notification packs one or more records, each led by its own Size
/// (which counts itself): Size, Flags, glucose SFLOAT, time offset u16, the annunciation octets
/// present (Status, Cal/Temp, Warning — always in that order, whichever are present), trend
/// SFLOAT, quality SFLOAT, and the E2E-CRC over the record when the sensor supports E2E.
/// </summary>
public static class CgmMeasurementCodec
{
    internal const byte DefinedFlags = 0xE3;
    internal const byte DefinedStatusBits = 0x3F;
    internal const byte DefinedCalTempBits = 0x7F;

    /// <summary>Size, flags, glucose and time offset: what every record has.</summary>
    private const int MandatorySize = 6;

    public static int RecordSize(CgmMeasurementFlags flags, CgmsE2e e2e) =>
        MandatorySize
        + (flags.HasFlag(CgmMeasurementFlags.StatusOctetPresent) ? 1 : 0)
        + (flags.HasFlag(CgmMeasurementFlags.CalTempOctetPresent) ? 1 : 0)
        + (flags.HasFlag(CgmMeasurementFlags.WarningOctetPresent) ? 1 : 0)
        + (flags.HasFlag(CgmMeasurementFlags.TrendPresent) ? MedicalFloat.SFloatSize : 0)
        + (flags.HasFlag(CgmMeasurementFlags.QualityPresent) ? MedicalFloat.SFloatSize : 0)
        + e2e.CrcLength;

    public static IReadOnlyList<CgmMeasurement> Decode(ReadOnlySpan<byte> value, CgmsE2e e2e)
    {
        if (value.IsEmpty)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, 0, "a CGM Measurement holds at least one record");
        }

        var records = new List<CgmMeasurement>();
        var offset = 0;
        while (offset < value.Length)
        {
            int size = value[offset];
            var minimum = MandatorySize + e2e.CrcLength;
            if (size < minimum)
            {
                throw new ProtocolException(ProtocolErrorKind.BadLength, offset, $"record size {size} is below the {minimum} bytes every record needs");
            }

            if (size > value.Length - offset)
            {
                throw new ProtocolException(ProtocolErrorKind.BadLength, offset, $"record size {size} runs past the {value.Length - offset} bytes left in the value");
            }

            var flags = CgmsWire.DefinedBits<CgmMeasurementFlags>(value[offset + 1], DefinedFlags, offset + 1, "CGM Measurement flags");
            var expected = RecordSize(flags, e2e);
            if (size != expected)
            {
                throw new ProtocolException(ProtocolErrorKind.BadLength, offset, $"record size {size} is not the {expected} bytes its flags ({flags}) call for");
            }

            CgmsWire.CheckCrc(value.Slice(offset, size), e2e, offset);
            records.Add(DecodeRecord(value, offset, flags));
            offset += size;
        }

        return records;
    }

    public static byte[] Encode(CgmMeasurement record, CgmsE2e e2e) => Encode([record], e2e);

    public static byte[] Encode(IReadOnlyList<CgmMeasurement> records, CgmsE2e e2e)
    {
        if (records.Count == 0)
        {
            throw new ArgumentException("A CGM Measurement holds at least one record.", nameof(records));
        }

        var bytes = new byte[records.Sum(r => RecordSize(r.Flags, e2e))];
        var offset = 0;
        foreach (var record in records)
        {
            var size = RecordSize(record.Flags, e2e);
            WriteRecord(record, bytes.AsSpan(offset, size), e2e);
            offset += size;
        }

        return bytes;
    }

    /// <param name="value">The whole notification: offsets in errors count from its start.</param>
    private static CgmMeasurement DecodeRecord(ReadOnlySpan<byte> value, int offset, CgmMeasurementFlags flags)
    {
        var position = offset + 2;
        var glucose = CgmsWire.ReadSFloat(value, position);
        position += MedicalFloat.SFloatSize;
        var timeOffset = BinaryPrimitives.ReadUInt16LittleEndian(value[position..]);
        position += 2;

        CgmStatusAnnunciation? status = null;
        if (flags.HasFlag(CgmMeasurementFlags.StatusOctetPresent))
        {
            status = CgmsWire.DefinedBits<CgmStatusAnnunciation>(value[position], DefinedStatusBits, position, "Status octet");
            position++;
        }

        CgmCalTempAnnunciation? calTemp = null;
        if (flags.HasFlag(CgmMeasurementFlags.CalTempOctetPresent))
        {
            calTemp = CgmsWire.DefinedBits<CgmCalTempAnnunciation>(value[position], DefinedCalTempBits, position, "Cal/Temp octet");
            position++;
        }

        CgmWarningAnnunciation? warning = null;
        if (flags.HasFlag(CgmMeasurementFlags.WarningOctetPresent))
        {
            warning = (CgmWarningAnnunciation)value[position];
            position++;
        }

        MedicalFloat? trend = null;
        if (flags.HasFlag(CgmMeasurementFlags.TrendPresent))
        {
            trend = CgmsWire.ReadSFloat(value, position);
            position += MedicalFloat.SFloatSize;
        }

        MedicalFloat? quality = null;
        if (flags.HasFlag(CgmMeasurementFlags.QualityPresent))
        {
            quality = CgmsWire.ReadSFloat(value, position);
        }

        return new CgmMeasurement(glucose, timeOffset, status, calTemp, warning, trend, quality);
    }

    private static void WriteRecord(CgmMeasurement record, Span<byte> destination, CgmsE2e e2e)
    {
        destination[0] = (byte)destination.Length;
        destination[1] = (byte)record.Flags;
        record.GlucoseMgDl.WriteSFloat(destination[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], record.TimeOffsetMinutes);
        var position = MandatorySize;
        if (record.Status is { } status)
        {
            destination[position++] = RequireBits((byte)status, DefinedStatusBits, nameof(record.Status));
        }

        if (record.CalTemp is { } calTemp)
        {
            destination[position++] = RequireBits((byte)calTemp, DefinedCalTempBits, nameof(record.CalTemp));
        }

        if (record.Warning is { } warning)
        {
            destination[position++] = (byte)warning;
        }

        if (record.TrendMgDlPerMinute is { } trend)
        {
            trend.WriteSFloat(destination[position..]);
            position += MedicalFloat.SFloatSize;
        }

        if (record.QualityPercent is { } quality)
        {
            quality.WriteSFloat(destination[position..]);
        }

        CgmsWire.SealInPlace(destination, e2e);
    }

    internal static byte RequireBits(byte octet, byte definedMask, string parameter) =>
        (octet & ~definedMask) == 0 ? octet : throw new ArgumentOutOfRangeException(parameter, octet, "reserved annunciation bits are set");
}
