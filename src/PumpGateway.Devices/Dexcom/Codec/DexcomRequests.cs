using System.Buffers.Binary;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Dexcom;

/// <summary>A decoded request, as the emulator (or a technician reading a capture) sees it.</summary>
public sealed record DexcomRequest(DexcomCommand Command, DexcomRecordType? RecordType, uint? FirstPage, byte? PageCount);

/// <summary>The request frames, one per read command.</summary>
public static class DexcomRequests
{
    public static byte[] Ping() => Bare(DexcomCommand.Ping);

    public static byte[] ReadFirmwareHeader() => Bare(DexcomCommand.ReadFirmwareHeader);

    public static byte[] ReadDatabasePartitionInfo() => Bare(DexcomCommand.ReadDatabasePartitionInfo);

    public static byte[] ReadDatabasePageRange(DexcomRecordType type) =>
        DexcomFraming.Encode((byte)DexcomCommand.ReadDatabasePageRange, [(byte)RequireKnown(type)]);

    /// <param name="pageCount">1 or more; a G4 has been seen answering 4 in one reply (vector D-6).</param>
    public static byte[] ReadDatabasePages(DexcomRecordType type, uint firstPage, byte pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfZero(pageCount);
        Span<byte> payload = stackalloc byte[6];
        payload[0] = (byte)RequireKnown(type);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[1..], firstPage);
        payload[5] = pageCount;
        return DexcomFraming.Encode((byte)DexcomCommand.ReadDatabasePages, payload);
    }

    public static byte[] ReadDatabasePageHeader(DexcomRecordType type, uint page)
    {
        Span<byte> payload = stackalloc byte[5];
        payload[0] = (byte)RequireKnown(type);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[1..], page);
        return DexcomFraming.Encode((byte)DexcomCommand.ReadDatabasePageHeader, payload);
    }

    public static byte[] ReadTransmitterId() => Bare(DexcomCommand.ReadTransmitterId);

    public static byte[] ReadLanguage() => Bare(DexcomCommand.ReadLanguage);

    public static byte[] ReadDisplayTimeOffset() => Bare(DexcomCommand.ReadDisplayTimeOffset);

    public static byte[] ReadRtc() => Bare(DexcomCommand.ReadRtc);

    public static byte[] ReadBatteryLevel() => Bare(DexcomCommand.ReadBatteryLevel);

    public static byte[] ReadSystemTime() => Bare(DexcomCommand.ReadSystemTime);

    public static byte[] ReadSystemTimeOffset() => Bare(DexcomCommand.ReadSystemTimeOffset);

    public static byte[] ReadGlucoseUnit() => Bare(DexcomCommand.ReadGlucoseUnit);

    public static byte[] ReadClockMode() => Bare(DexcomCommand.ReadClockMode);

    public static byte[] ReadBatteryState() => Bare(DexcomCommand.ReadBatteryState);

    /// <summary>Decodes a request frame, checking the payload each command takes.</summary>
    public static DexcomRequest DecodeRequest(ReadOnlySpan<byte> frame)
    {
        var decoded = DexcomFraming.Decode(frame);
        if (!Enum.IsDefined((DexcomCommand)decoded.Code))
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 3, $"0x{decoded.Code:x2} is not a read command");
        }

        var command = (DexcomCommand)decoded.Code;
        var payload = decoded.Payload.Span;
        var expected = command switch
        {
            DexcomCommand.ReadDatabasePageRange => 1,
            DexcomCommand.ReadDatabasePages => 6,
            DexcomCommand.ReadDatabasePageHeader => 5,
            _ => 0,
        };
        if (payload.Length != expected)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, 4, $"{command} takes {expected} payload bytes, got {payload.Length}");
        }

        if (expected == 0)
        {
            return new DexcomRequest(command, null, null, null);
        }

        var type = (DexcomRecordType)payload[0];
        if (!Enum.IsDefined(type))
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownRecordType, 4, $"record type {payload[0]} is not a database partition");
        }

        return command switch
        {
            DexcomCommand.ReadDatabasePageRange => new DexcomRequest(command, type, null, null),
            DexcomCommand.ReadDatabasePageHeader => new DexcomRequest(command, type, BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]), null),
            _ when payload[5] == 0 => throw new ProtocolException(ProtocolErrorKind.OutOfRange, 9, "a page read asks for at least one page"),
            _ => new DexcomRequest(command, type, BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]), payload[5]),
        };
    }

    private static byte[] Bare(DexcomCommand command) => DexcomFraming.Encode((byte)command, []);

    private static DexcomRecordType RequireKnown(DexcomRecordType type) =>
        Enum.IsDefined(type) ? type : throw new ArgumentOutOfRangeException(nameof(type), type, "not a database partition");
}
