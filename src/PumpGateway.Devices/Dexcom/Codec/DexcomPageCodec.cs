using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Dexcom;

/// <summary>One database page: its header and its records.</summary>
public sealed record DexcomPage(uint FirstRecordIndex, DexcomRecordType RecordType, byte Revision, uint PageNumber, IReadOnlyList<DexcomRecord> Records)
{
    public bool Equals(DexcomPage? other) =>
        other is not null && FirstRecordIndex == other.FirstRecordIndex && RecordType == other.RecordType && Revision == other.Revision
        && PageNumber == other.PageNumber && Records.SequenceEqual(other.Records);

    public override int GetHashCode() => HashCode.Combine(FirstRecordIndex, RecordType, Revision, PageNumber, Records.Count);
}

/// <summary>
/// 528-byte database pages: a 28-byte header (first record index, record count, type, revision,
/// page number, three reserved u32, header CRC) and 500 bytes of packed records, unused tail 0xFF.
/// </summary>
public static class DexcomPageCodec
{
    public const int PageSize = 528;
    public const int HeaderSize = 28;
    public const int DataSize = PageSize - HeaderSize;

    public static int RecordsPerPage(DexcomRecordType type, byte revision) => DataSize / DexcomRecordCodec.RecordSize(type, revision, 0);

    public static DexcomPage Decode(ReadOnlySpan<byte> page) => Decode(page, 0);

    /// <summary>Decodes the pages of a READ_DATABASE_PAGES reply (a whole number of pages).</summary>
    public static IReadOnlyList<DexcomPage> DecodePages(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0 || payload.Length % PageSize != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, 0, $"a page reply is a whole number of {PageSize}-byte pages, got {payload.Length} bytes");
        }

        var pages = new DexcomPage[payload.Length / PageSize];
        for (var i = 0; i < pages.Length; i++)
        {
            pages[i] = Decode(payload.Slice(i * PageSize, PageSize), i * PageSize);
        }

        return pages;
    }

    public static byte[] Encode(DexcomPage page)
    {
        var bytes = new byte[PageSize];
        Encode(page, bytes);
        return bytes;
    }

    public static int Encode(DexcomPage page, Span<byte> destination)
    {
        if (destination.Length < PageSize)
        {
            throw new ArgumentException($"A page needs {PageSize} bytes.", nameof(destination));
        }

        var size = DexcomRecordCodec.RecordSize(page.RecordType, page.Revision, 0);
        if (page.Records.Count * size > DataSize)
        {
            throw new ArgumentException($"{page.Records.Count} records of {size} bytes do not fit in one page.", nameof(page));
        }

        var span = destination[..PageSize];
        span.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(span, page.FirstRecordIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)page.Records.Count);
        span[8] = (byte)page.RecordType;
        span[9] = page.Revision;
        BinaryPrimitives.WriteUInt32LittleEndian(span[10..], page.PageNumber);
        BinaryPrimitives.WriteUInt16LittleEndian(span[26..], Crc16Xmodem.Compute(span[..26]));
        var data = span[HeaderSize..];
        data.Fill(0xFF);
        for (var i = 0; i < page.Records.Count; i++)
        {
            DexcomRecordCodec.Encode(page.Records[i], page.RecordType, page.Revision, data.Slice(i * size, size));
        }

        return PageSize;
    }

    private static DexcomPage Decode(ReadOnlySpan<byte> page, int baseOffset)
    {
        if (page.Length != PageSize)
        {
            throw new ProtocolException(page.Length < PageSize ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength, baseOffset, $"a page is {PageSize} bytes, got {page.Length}");
        }

        var headerCrc = BinaryPrimitives.ReadUInt16LittleEndian(page[26..]);
        var computed = Crc16Xmodem.Compute(page[..26]);
        if (headerCrc != computed)
        {
            throw new ProtocolException(ProtocolErrorKind.BadCrc, baseOffset + 26, $"page header CRC is 0x{headerCrc:x4}, computed 0x{computed:x4}");
        }

        for (var reserved = 14; reserved < 26; reserved += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(page[reserved..]) != 0)
            {
                throw new ProtocolException(ProtocolErrorKind.ReservedValue, baseOffset + reserved, "a reserved page header field is not 0");
            }
        }

        var firstIndex = BinaryPrimitives.ReadUInt32LittleEndian(page);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(page[4..]);
        var type = (DexcomRecordType)page[8];
        var revision = page[9];
        var pageNumber = BinaryPrimitives.ReadUInt32LittleEndian(page[10..]);
        if (!Enum.IsDefined(type))
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownRecordType, baseOffset + 8, $"record type {page[8]} is not a database partition");
        }

        var size = DexcomRecordCodec.RecordSize(type, revision, baseOffset + 9);
        if (count > (uint)(DataSize / size))
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, baseOffset + 4, $"{count} records of {size} bytes do not fit in {DataSize} bytes");
        }

        var data = page[HeaderSize..];
        var records = new DexcomRecord[count];
        for (var i = 0; i < records.Length; i++)
        {
            var offset = i * size;
            records[i] = DexcomRecordCodec.Decode(data.Slice(offset, size), type, revision, baseOffset + HeaderSize + offset);
        }

        var tail = data[(records.Length * size)..];
        var notPadding = tail.IndexOfAnyExcept((byte)0xFF);
        if (notPadding >= 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, baseOffset + HeaderSize + (records.Length * size) + notPadding, "the unused tail of a page is not 0xFF padding");
        }

        return new DexcomPage(firstIndex, type, revision, pageNumber, records);
    }
}
