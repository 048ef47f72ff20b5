using System.Buffers.Binary;
using System.Text;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// The CareLink USB stick's own command set, both ways: the 3-byte commands (5 for ReadRadio), the
/// 64-byte replies that start <c>01 55 00</c> (ACK) or <c>01 66</c> (NAK), and the ReadRadio reply
/// that starts <c>02</c> and carries the pump's bytes.
/// </summary>
public static class CareLinkStick
{
    /// <summary>Every stick reply but ReadRadio's is one 64-byte USB read.</summary>
    public const int ReplyLength = 64;

    /// <summary>ReadRadio reply: 13 header bytes (the 13th a CRC-8 of the first 12), the data, its CRC-8.</summary>
    public const int RadioHeaderLength = 13;

    private const byte CommandStatus = 0x01;
    private const byte Ack = 0x55;
    private const byte Nak = 0x66;
    private const byte RadioReplyStatus = 0x02;
    private const int DataOffset = 3;
    private const int DescriptionLength = 10;
    private const byte EndOfDataBit = 0x80;
    private const CareLinkLinkFlags DefinedLinkFlags = (CareLinkLinkFlags)0x3F;

    /// <summary>decocare's reading of byte 2 of a radio reply: 2 = the pump NAKed, 5 = the radio timed out, anything above 5 is undefined.</summary>
    private const byte RadioNak = 2;
    private const byte RadioTimeout = 5;

    public static byte[] ProductInfo() => [(byte)CareLinkOpcode.ProductInfo, 0, 0];

    public static byte[] InterfaceStatistics(CareLinkInterface side) =>
        [(byte)CareLinkOpcode.InterfaceStatistics, (byte)(Enum.IsDefined(side) ? side : throw new ArgumentOutOfRangeException(nameof(side))), 0];

    public static byte[] SignalStrength() => [(byte)CareLinkOpcode.SignalStrength, 0, 0];

    public static byte[] LinkStatus() => [(byte)CareLinkOpcode.LinkStatus, 0, 0];

    /// <param name="size">The bytes to download, as the last LinkStatus reported them waiting.</param>
    public static byte[] ReadRadio(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, ushort.MaxValue);
        var command = new byte[] { (byte)CareLinkOpcode.ReadRadio, 0, (byte)(size >> 8), (byte)size, 0 };
        command[4] = Crc8.Compute(command.AsSpan(0, 4));
        return command;
    }

    public static byte[] Encode(CareLinkCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Opcode switch
        {
            CareLinkOpcode.TransmitPacket => ParadigmCommands.Encode(command.Packet ?? throw new ArgumentException("A TransmitPacket carries a pump command.", nameof(command))),
            CareLinkOpcode.LinkStatus => LinkStatus(),
            CareLinkOpcode.ProductInfo => ProductInfo(),
            CareLinkOpcode.InterfaceStatistics => InterfaceStatistics(command.Interface),
            CareLinkOpcode.SignalStrength => SignalStrength(),
            CareLinkOpcode.ReadRadio => ReadRadio(command.ReadSize),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.Opcode, "not a stick command"),
        };
    }

    /// <summary>Decodes what the host wrote to the stick; a TransmitPacket is decoded down to its pump command.</summary>
    public static CareLinkCommand DecodeCommand(ReadOnlySpan<byte> command)
    {
        if (command.IsEmpty)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, 0, "an empty stick command");
        }

        var opcode = (CareLinkOpcode)command[0];
        switch (opcode)
        {
            case CareLinkOpcode.TransmitPacket:
                return new CareLinkCommand(opcode) { Packet = ParadigmCommands.Decode(command) };
            case CareLinkOpcode.ReadRadio:
                RequireCommandLength(command, 5, opcode);
                RequireZero(command, 1);
                var crc = Crc8.Compute(command[..4]);
                if (command[4] != crc)
                {
                    throw new ProtocolException(ProtocolErrorKind.BadCrc, 4, $"ReadRadio CRC-8 is 0x{command[4]:x2}, computed 0x{crc:x2}");
                }

                var size = BinaryPrimitives.ReadUInt16BigEndian(command[2..]);
                return size == 0
                    ? throw new ProtocolException(ProtocolErrorKind.OutOfRange, 2, "ReadRadio of zero bytes")
                    : new CareLinkCommand(opcode) { ReadSize = size };
            case CareLinkOpcode.InterfaceStatistics:
                RequireCommandLength(command, 3, opcode);
                if (!Enum.IsDefined((CareLinkInterface)command[1]))
                {
                    throw new ProtocolException(ProtocolErrorKind.ReservedValue, 1, $"interface {command[1]} is neither radio (0) nor USB (1)");
                }

                RequireZero(command, 2);
                return new CareLinkCommand(opcode) { Interface = (CareLinkInterface)command[1] };
            case CareLinkOpcode.ProductInfo or CareLinkOpcode.SignalStrength or CareLinkOpcode.LinkStatus:
                RequireCommandLength(command, 3, opcode);
                RequireZero(command, 1);
                RequireZero(command, 2);
                return new CareLinkCommand(opcode);
            default:
                throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"0x{command[0]:x2} is not a stick command");
        }
    }

    /// <summary>The stick's ACK of a TransmitPacket. The bytes after <c>01 55 00</c> are whatever its buffer last held (the capture shows stale replies), so they are not read.</summary>
    public static void DecodeAck(ReadOnlySpan<byte> reply) => ExpectAck(reply);

    public static byte[] EncodeAck() => NewReply();

    /// <summary>A NAK: byte 1 is 'f' (0x66), byte 2 the stick's reason.</summary>
    public static byte[] EncodeNak(byte reason)
    {
        var reply = NewReply();
        reply[1] = Nak;
        reply[2] = reason;
        return reply;
    }

    public static CareLinkProductInfo DecodeProductInfo(ReadOnlySpan<byte> reply)
    {
        ExpectAck(reply);
        var serial = Convert.ToHexStringLower(reply.Slice(DataOffset, 3));
        var productVersion = new CareLinkVersion(reply[6], reply[7]);
        var band = (CareLinkRfBand)reply[8];
        if (!Enum.IsDefined(band))
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 8, $"RF band {reply[8]} is none of 0, 1, 255");
        }

        var description = ReadText(reply.Slice(9, DescriptionLength), 9);
        var softwareVersion = new CareLinkVersion(reply[19], reply[20]);
        int count = reply[21];
        if (22 + (2 * count) > ReplyLength)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, 21, $"{count} interfaces do not fit in a {ReplyLength}-byte reply");
        }

        var interfaces = new CareLinkInterfaceEntry[count];
        for (var i = 0; i < count; i++)
        {
            var offset = 22 + (2 * i);
            var type = (CareLinkInterfaceType)reply[offset + 1];
            if (!Enum.IsDefined(type))
            {
                throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset + 1, $"interface type {reply[offset + 1]} is neither Paradigm RF (1) nor USB (3)");
            }

            interfaces[i] = new CareLinkInterfaceEntry(reply[offset], type);
        }

        return new CareLinkProductInfo(serial, productVersion, band, description, softwareVersion, interfaces);
    }

    public static byte[] EncodeProductInfo(CareLinkProductInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        // Lower case only: the serial decodes as lower-case hex, and an upper-case one would not read back as written.
        if (info.Serial is not { Length: 6 } || !info.Serial.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("A stick serial is six lower-case hex digits.", nameof(info));
        }

        if (!Enum.IsDefined(info.RfBand))
        {
            throw new ArgumentOutOfRangeException(nameof(info), info.RfBand, "not an RF band");
        }

        if (info.Description.Length > DescriptionLength || !info.Description.All(IsPrintable))
        {
            throw new ArgumentException($"The description is at most {DescriptionLength} printable ASCII characters.", nameof(info));
        }

        if (22 + (2 * info.Interfaces.Count) > ReplyLength || info.Interfaces.Any(e => !Enum.IsDefined(e.Type)))
        {
            throw new ArgumentException("Too many interfaces, or an undefined interface type.", nameof(info));
        }

        var reply = NewReply();
        Convert.FromHexString(info.Serial).CopyTo(reply, DataOffset);
        reply[6] = info.ProductVersion.Major;
        reply[7] = info.ProductVersion.Minor;
        reply[8] = (byte)info.RfBand;
        Encoding.ASCII.GetBytes(info.Description).CopyTo(reply, 9);
        reply[19] = info.SoftwareVersion.Major;
        reply[20] = info.SoftwareVersion.Minor;
        reply[21] = (byte)info.Interfaces.Count;
        for (var i = 0; i < info.Interfaces.Count; i++)
        {
            reply[22 + (2 * i)] = info.Interfaces[i].Index;
            reply[23 + (2 * i)] = (byte)info.Interfaces[i].Type;
        }

        return reply;
    }

    public static CareLinkInterfaceStatistics DecodeInterfaceStatistics(ReadOnlySpan<byte> reply)
    {
        ExpectAck(reply);
        return new CareLinkInterfaceStatistics(
            reply[3],
            reply[4],
            reply[5],
            reply[6],
            BinaryPrimitives.ReadUInt32BigEndian(reply[7..]),
            BinaryPrimitives.ReadUInt32BigEndian(reply[11..]));
    }

    public static byte[] EncodeInterfaceStatistics(CareLinkInterfaceStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        var reply = NewReply();
        reply[3] = statistics.CrcErrors;
        reply[4] = statistics.SequenceErrors;
        reply[5] = statistics.Naks;
        reply[6] = statistics.Timeouts;
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(7), statistics.PacketsReceived);
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(11), statistics.PacketsTransmitted);
        return reply;
    }

    /// <summary>The RSSI byte; decocare waits for it to pass a threshold before using the radio.</summary>
    public static byte DecodeSignalStrength(ReadOnlySpan<byte> reply)
    {
        ExpectAck(reply);
        return reply[DataOffset];
    }

    public static byte[] EncodeSignalStrength(byte rssi)
    {
        var reply = NewReply();
        reply[DataOffset] = rssi;
        return reply;
    }

    /// <summary>
    /// Byte 3 is an error code (0 = none; decocare raises on anything else), byte 5 the status bits,
    /// bytes 6–7 the bytes waiting (big-endian). Byte 4 and bytes 8–10 are constant in the capture and not interpreted.
    /// </summary>
    public static CareLinkLinkStatus DecodeLinkStatus(ReadOnlySpan<byte> reply)
    {
        ExpectAck(reply);
        if (reply[3] != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.DeviceError, 3, $"the stick reports link error 0x{reply[3]:x2}");
        }

        var flags = (CareLinkLinkFlags)reply[5];
        if ((flags & ~DefinedLinkFlags) != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 5, $"status bits 0x{reply[5]:x2} set undefined bits 0x40/0x80");
        }

        return new CareLinkLinkStatus(flags, BinaryPrimitives.ReadUInt16BigEndian(reply[6..]));
    }

    /// <summary>Writes the uninterpreted bytes as the captured stick does (02 at byte 4, 05 04 00 at 8–10), so the emulator's replies read like the real ones.</summary>
    public static byte[] EncodeLinkStatus(CareLinkLinkStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if ((status.Flags & ~DefinedLinkFlags) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status.Flags, "undefined status bits");
        }

        var reply = NewReply();
        reply[4] = 0x02;
        reply[5] = (byte)status.Flags;
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(6), status.BytesWaiting);
        reply[8] = 0x05;
        reply[9] = 0x04;
        return reply;
    }

    /// <summary>
    /// A ReadRadio reply: 02, interface 0, radio status, retries, signal strength, end-of-data bit and
    /// 15-bit data length (big-endian, bytes 5–6), A7 01, the pump serial, CRC-8 of bytes 0–11, the data,
    /// CRC-8 of the data. The header CRC is not in decocare: it holds on every reply of the capture.
    /// </summary>
    public static CareLinkRadioReply DecodeRadioReply(ReadOnlySpan<byte> reply)
    {
        if (reply.IsEmpty)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, 0, "an empty radio reply");
        }

        if (reply[0] != RadioReplyStatus)
        {
            throw new ProtocolException(ProtocolErrorKind.BadMarker, 0, $"a radio reply starts 0x02, got 0x{reply[0]:x2}");
        }

        if (reply.Length < RadioHeaderLength + 1)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, reply.Length, $"a radio reply is at least {RadioHeaderLength + 1} bytes, got {reply.Length}");
        }

        var headerCrc = Crc8.Compute(reply[..(RadioHeaderLength - 1)]);
        if (reply[RadioHeaderLength - 1] != headerCrc)
        {
            throw new ProtocolException(ProtocolErrorKind.BadCrc, RadioHeaderLength - 1, $"radio header CRC-8 is 0x{reply[RadioHeaderLength - 1]:x2}, computed 0x{headerCrc:x2}");
        }

        RequireZero(reply, 1);
        var status = reply[2];
        if (status is RadioNak or RadioTimeout)
        {
            throw new ProtocolException(ProtocolErrorKind.DeviceError, 2, status == RadioNak ? "the pump NAKed the command" : "the radio timed out");
        }

        if (status > RadioTimeout)
        {
            throw new ProtocolException(ProtocolErrorKind.OutOfRange, 2, $"radio status {status} is undefined");
        }

        if (reply[7] != 0xA7 || reply[8] != 0x01)
        {
            var at = reply[7] != 0xA7 ? 7 : 8;
            throw new ProtocolException(ProtocolErrorKind.BadMarker, at, $"the pump packet header is A7 01, got {reply[7]:x2} {reply[8]:x2}");
        }

        var serial = ParadigmCommands.ReadSerial(reply, 9);
        var length = ((reply[5] & ~EndOfDataBit) << 8) | reply[6];
        var total = RadioHeaderLength + length + 1;
        if (reply.Length != total)
        {
            throw new ProtocolException(
                reply.Length < total ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength,
                reply.Length < total ? reply.Length : 5,
                $"the radio reply says {length} data bytes ({total} in all), got {reply.Length} bytes");
        }

        var data = reply.Slice(RadioHeaderLength, length);
        var dataCrc = Crc8.Compute(data);
        if (reply[^1] != dataCrc)
        {
            throw new ProtocolException(ProtocolErrorKind.BadCrc, total - 1, $"radio data CRC-8 is 0x{reply[^1]:x2}, computed 0x{dataCrc:x2}");
        }

        return new CareLinkRadioReply(status, reply[3], reply[4], (reply[5] & EndOfDataBit) != 0, serial, data.ToArray());
    }

    public static byte[] EncodeRadioReply(CareLinkRadioReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(reply.Data);
        if (reply.RadioStatus is RadioNak or >= RadioTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(reply), reply.RadioStatus, "a radio reply that carries data has status 0, 1, 3 or 4");
        }

        if (reply.Data.Length > 0x7FFF)
        {
            throw new ArgumentOutOfRangeException(nameof(reply), reply.Data.Length, "a radio reply carries at most 32767 bytes");
        }

        var bytes = new byte[RadioHeaderLength + reply.Data.Length + 1];
        bytes[0] = RadioReplyStatus;
        bytes[2] = reply.RadioStatus;
        bytes[3] = reply.Retries;
        bytes[4] = reply.SignalStrength;
        bytes[5] = (byte)((reply.Data.Length >> 8) | (reply.EndOfData ? EndOfDataBit : 0));
        bytes[6] = (byte)reply.Data.Length;
        bytes[7] = 0xA7;
        bytes[8] = 0x01;
        ParadigmCommands.WriteSerial(ParadigmCommands.RequireSerial(reply.PumpSerial), bytes.AsSpan(9, 3));
        bytes[RadioHeaderLength - 1] = Crc8.Compute(bytes.AsSpan(0, RadioHeaderLength - 1));
        reply.Data.CopyTo(bytes, RadioHeaderLength);
        bytes[^1] = Crc8.Compute(reply.Data);
        return bytes;
    }

    private static void ExpectAck(ReadOnlySpan<byte> reply)
    {
        if (reply.Length != ReplyLength)
        {
            throw new ProtocolException(
                reply.Length < ReplyLength ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength,
                Math.Min(reply.Length, ReplyLength),
                $"a stick reply is one {ReplyLength}-byte read, got {reply.Length}");
        }

        if (reply[0] != CommandStatus)
        {
            throw new ProtocolException(ProtocolErrorKind.BadMarker, 0, $"a stick reply starts 0x01, got 0x{reply[0]:x2}");
        }

        if (reply[1] == Nak)
        {
            throw new ProtocolException(ProtocolErrorKind.DeviceError, 1, $"the stick NAKed the command (reason 0x{reply[2]:x2})");
        }

        if (reply[1] != Ack)
        {
            throw new ProtocolException(ProtocolErrorKind.BadMarker, 1, $"a stick reply is ACK 0x55 or NAK 0x66, got 0x{reply[1]:x2}");
        }

        RequireZero(reply, 2);
    }

    private static byte[] NewReply()
    {
        var reply = new byte[ReplyLength];
        reply[0] = CommandStatus;
        reply[1] = Ack;
        return reply;
    }

    private static void RequireCommandLength(ReadOnlySpan<byte> command, int length, CareLinkOpcode opcode)
    {
        if (command.Length != length)
        {
            throw new ProtocolException(
                command.Length < length ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength,
                Math.Min(command.Length, length),
                $"{opcode} is {length} bytes, got {command.Length}");
        }
    }

    private static void RequireZero(ReadOnlySpan<byte> bytes, int offset)
    {
        if (bytes[offset] != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset, $"byte {offset} is 0, got 0x{bytes[offset]:x2}");
        }
    }

    /// <summary>Fixed-width ASCII, NUL-padded at the end.</summary>
    private static string ReadText(ReadOnlySpan<byte> field, int offset)
    {
        var end = field.IndexOf((byte)0);
        var text = end < 0 ? field : field[..end];
        for (var i = 0; i < field.Length; i++)
        {
            if (i < text.Length ? !IsPrintable((char)field[i]) : field[i] != 0)
            {
                throw new ProtocolException(ProtocolErrorKind.OutOfRange, offset + i, $"byte 0x{field[i]:x2} in a text field");
            }
        }

        return Encoding.ASCII.GetString(text);
    }

    private static bool IsPrintable(char c) => c is >= ' ' and <= '~';
}
