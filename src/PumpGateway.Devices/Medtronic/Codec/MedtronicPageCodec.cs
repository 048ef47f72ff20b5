using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Medtronic;

/// <summary>A decoded ReadHistoryData page: its records in page order (oldest first) and the model they were read for.</summary>
public sealed record MedtronicHistoryPage(MedtronicModel Model, IReadOnlyList<MedtronicHistoryRecord> Records)
{
    public bool Equals(MedtronicHistoryPage? other) =>
        other is not null && Model.Equals(other.Model) && Records.SequenceEqual(other.Records);

    public override int GetHashCode() => HashCode.Combine(Model, Records.Count);

    /// <summary>Byte offset of record <paramref name="index"/> in the page.</summary>
    public int OffsetOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Records.Count);
        var offset = 0;
        for (var i = 0; i < index; i++)
        {
            offset += MedtronicRecordCodec.EncodedLength(Records[i], Model.Family);
        }

        return offset;
    }
}

/// <summary>The 1024-byte framing shared by history and glucose pages: 1022 bytes of data, CRC-16/CCITT-FALSE big-endian.</summary>
public static class MedtronicPageFrame
{
    public const int PageSize = 1024;
    public const int DataSize = PageSize - 2;

    /// <summary>Checks the length and the CRC and returns the 1022 data bytes.</summary>
    public static ReadOnlySpan<byte> Verify(ReadOnlySpan<byte> page)
    {
        if (page.Length != PageSize)
        {
            throw new ProtocolException(page.Length < PageSize ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength, Math.Min(page.Length, PageSize), $"a page is {PageSize} bytes, got {page.Length}");
        }

        var stored = BinaryPrimitives.ReadUInt16BigEndian(page[DataSize..]);
        var computed = Crc16CcittFalse.Compute(page[..DataSize]);
        if (stored != computed)
        {
            throw new ProtocolException(ProtocolErrorKind.BadCrc, DataSize, $"page CRC is 0x{stored:X4}, computed 0x{computed:X4}");
        }

        return page[..DataSize];
    }

    /// <summary>Writes the CRC of bytes 0..1021 into bytes 1022..1023.</summary>
    public static void Seal(Span<byte> page)
    {
        if (page.Length != PageSize)
        {
            throw new ArgumentException($"A page is {PageSize} bytes.", nameof(page));
        }

        BinaryPrimitives.WriteUInt16BigEndian(page[DataSize..], Crc16CcittFalse.Compute(page[..DataSize]));
    }
}

/// <summary>
/// ReadHistoryData pages (command 128): records parsed sequentially from byte 0 by opcode with the
/// model's lengths (scanning for opcodes finds false hits), then zero padding to byte 1021, then
/// the page CRC. An opcode this codec does not know stops the page: its length is unknown, so
/// nothing after it can be read without guessing.
/// </summary>
public static class MedtronicPageCodec
{
    public static MedtronicHistoryPage Decode(ReadOnlySpan<byte> page, MedtronicModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var data = MedtronicPageFrame.Verify(page);
        var records = new List<MedtronicHistoryRecord>();
        var offset = 0;
        while (offset < data.Length && data[offset] != 0)
        {
            records.Add(MedtronicRecordCodec.Decode(data[offset..], model, offset, out var length));
            offset += length;
        }

        var notPadding = data[offset..].IndexOfAnyExcept((byte)0);
        if (notPadding >= 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset + notPadding, $"byte 0x{data[offset + notPadding]:X2} in the zero padding that ends the records at offset {offset}");
        }

        return new MedtronicHistoryPage(model, records);
    }

    public static byte[] Encode(MedtronicHistoryPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var bytes = new byte[MedtronicPageFrame.PageSize];
        var offset = 0;
        foreach (var record in page.Records)
        {
            var length = MedtronicRecordCodec.EncodedLength(record, page.Model.Family);
            if (offset + length > MedtronicPageFrame.DataSize)
            {
                throw new ArgumentException($"the records need more than the {MedtronicPageFrame.DataSize} bytes of a page", nameof(page));
            }

            MedtronicRecordCodec.Encode(record, page.Model.Family, bytes.AsSpan(offset));
            offset += length;
        }

        MedtronicPageFrame.Seal(bytes);
        return bytes;
    }
}
