using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// The CareLink stick's TransmitPacket that carries one pump command:
/// <c>01 00 A7 01</c>, pump serial as three BCD bytes, <c>0x80 | paramCount_hi</c>, <c>paramCount_lo</c>,
/// button, retries, expected frames, 0, command code, CRC-8 of all that, parameters, CRC-8 of the parameters.
/// </summary>
public static class ParadigmCommands
{
    /// <summary>A history or glucose page: 16 radio frames of 64 bytes.</summary>
    public const int PageLength = 1024;

    /// <summary>The reply of every small read: one radio frame.</summary>
    public const int FrameLength = 64;

    private const int CodeOffset = 13;
    private const int HeaderCrcOffset = 14;
    private const int ParametersOffset = 15;
    private const byte ParameterCountFlag = 0x80;

    /// <summary>The button byte decocare sets for PowerControl only; every other command carries 0.</summary>
    private const byte PowerControlButton = 0x55;

    /// <summary>PowerControl's first parameter: 1 turns the radio on (decocare's PowerControl); the gateway never sends anything else.</summary>
    private const byte RadioOn = 0x01;

    private static ReadOnlySpan<byte> Prefix => [0x01, 0x00, 0xA7, 0x01];

    /// <summary>A read that takes no parameter: model, clock, id, battery, reservoir, firmware, error status, page numbers.</summary>
    public static ParadigmCommand Read(string pumpSerial, ParadigmCommandCode code)
    {
        if (ParameterCount(RequireKnown(code)) != 0)
        {
            throw new ArgumentException($"{code} takes parameters: use its own factory.", nameof(code));
        }

        return new ParadigmCommand(RequireSerial(pumpSerial), code);
    }

    public static ParadigmCommand ReadHistoryData(string pumpSerial, byte page) =>
        new(RequireSerial(pumpSerial), ParadigmCommandCode.ReadHistoryData) { Page = page };

    public static ParadigmCommand ReadGlucoseHistory(string pumpSerial, uint page) =>
        new(RequireSerial(pumpSerial), ParadigmCommandCode.ReadGlucoseHistory) { Page = page };

    /// <summary>Wakes the pump's radio for <paramref name="minutes"/>; sent without retries, as decocare does.</summary>
    public static ParadigmCommand PowerControl(string pumpSerial, byte minutes) =>
        new(RequireSerial(pumpSerial), ParadigmCommandCode.PowerControl) { RadioOnMinutes = minutes, Retries = 0 };

    /// <summary>How many bytes of pump data the command's reply carries, over all its radio reads.</summary>
    public static int ExpectedReplyLength(ParadigmCommandCode code) => RequireKnown(code) switch
    {
        ParadigmCommandCode.PowerControl => 0,
        ParadigmCommandCode.ReadHistoryData or ParadigmCommandCode.ReadGlucoseHistory => PageLength,
        _ => FrameLength,
    };

    public static byte[] Encode(ParadigmCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var code = RequireKnown(command.Code);
        var parameterCount = ParameterCount(code);
        if (code != ParadigmCommandCode.ReadHistoryData && code != ParadigmCommandCode.ReadGlucoseHistory && command.Page != 0)
        {
            throw new ArgumentException($"{code} takes no page.", nameof(command));
        }

        if (code == ParadigmCommandCode.ReadHistoryData && command.Page > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(command), command.Page, "ReadHistoryData carries its page in one byte.");
        }

        if (code != ParadigmCommandCode.PowerControl && command.RadioOnMinutes != 0)
        {
            throw new ArgumentException($"{code} takes no radio-on minutes.", nameof(command));
        }

        var packet = new byte[ParametersOffset + parameterCount + 1];
        Prefix.CopyTo(packet);
        WriteSerial(RequireSerial(command.PumpSerial), packet.AsSpan(4, 3));
        packet[7] = (byte)(ParameterCountFlag | (parameterCount >> 8));
        packet[8] = (byte)parameterCount;
        packet[9] = code == ParadigmCommandCode.PowerControl ? PowerControlButton : (byte)0;
        packet[10] = command.Retries;
        packet[11] = FramesByte(code);
        packet[12] = 0;
        packet[CodeOffset] = (byte)code;
        packet[HeaderCrcOffset] = Crc8.Compute(packet.AsSpan(0, HeaderCrcOffset));

        var parameters = packet.AsSpan(ParametersOffset, parameterCount);
        switch (code)
        {
            case ParadigmCommandCode.PowerControl:
                parameters[0] = RadioOn;
                parameters[1] = command.RadioOnMinutes;
                break;
            case ParadigmCommandCode.ReadHistoryData:
                parameters[0] = (byte)command.Page;
                break;
            case ParadigmCommandCode.ReadGlucoseHistory:
                BinaryPrimitives.WriteUInt32BigEndian(parameters, command.Page);
                break;
        }

        packet[^1] = Crc8.Compute(parameters);
        return packet;
    }

    /// <summary>Decodes a TransmitPacket; any command code but the reads of a download is an UnknownCommand.</summary>
    public static ParadigmCommand Decode(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < ParametersOffset + 1)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, packet.Length, $"a TransmitPacket is at least {ParametersOffset + 1} bytes, got {packet.Length}");
        }

        for (var i = 0; i < Prefix.Length; i++)
        {
            if (packet[i] != Prefix[i])
            {
                throw new ProtocolException(ProtocolErrorKind.BadMarker, i, $"a TransmitPacket starts 01 00 A7 01, byte {i} is 0x{packet[i]:x2}");
            }
        }

        var serial = ReadSerial(packet, 4);
        if ((packet[7] & ParameterCountFlag) == 0)
        {
            throw new ProtocolException(ProtocolErrorKind.BadMarker, 7, $"the parameter count's high byte carries 0x80, got 0x{packet[7]:x2}");
        }

        var headerCrc = Crc8.Compute(packet[..HeaderCrcOffset]);
        if (packet[HeaderCrcOffset] != headerCrc)
        {
            throw new ProtocolException(ProtocolErrorKind.BadCrc, HeaderCrcOffset, $"header CRC-8 is 0x{packet[HeaderCrcOffset]:x2}, computed 0x{headerCrc:x2}");
        }

        var code = (ParadigmCommandCode)packet[CodeOffset];
        if (!Enum.IsDefined(code))
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownCommand, CodeOffset, $"pump command {packet[CodeOffset]} is not a read of a download");
        }

        var button = code == ParadigmCommandCode.PowerControl ? PowerControlButton : (byte)0;
        if (packet[9] != button)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 9, $"{code} carries button byte 0x{button:x2}, got 0x{packet[9]:x2}");
        }

        if (packet[11] != FramesByte(code))
        {
            throw new ProtocolException(ProtocolErrorKind.OutOfRange, 11, $"{code} expects {FramesByte(code)} frames, the packet says {packet[11]}");
        }

        if (packet[12] != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 12, $"byte 12 is 0, got 0x{packet[12]:x2}");
        }

        var parameterCount = ((packet[7] & ~ParameterCountFlag) << 8) | packet[8];
        if (parameterCount != ParameterCount(code))
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, 7, $"{code} takes {ParameterCount(code)} parameters, the packet says {parameterCount}");
        }

        var length = ParametersOffset + parameterCount + 1;
        if (packet.Length != length)
        {
            throw new ProtocolException(
                packet.Length < length ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength,
                Math.Min(packet.Length, length),
                $"{code} is {length} bytes, got {packet.Length}");
        }

        var parameters = packet.Slice(ParametersOffset, parameterCount);
        var parameterCrc = Crc8.Compute(parameters);
        if (packet[^1] != parameterCrc)
        {
            throw new ProtocolException(ProtocolErrorKind.BadCrc, length - 1, $"parameter CRC-8 is 0x{packet[^1]:x2}, computed 0x{parameterCrc:x2}");
        }

        var command = new ParadigmCommand(serial, code) { Retries = packet[10] };
        switch (code)
        {
            case ParadigmCommandCode.PowerControl when parameters[0] != RadioOn:
                throw new ProtocolException(ProtocolErrorKind.OutOfRange, ParametersOffset, $"PowerControl turns the radio on (0x01), got 0x{parameters[0]:x2}");
            case ParadigmCommandCode.PowerControl:
                return command with { RadioOnMinutes = parameters[1] };
            case ParadigmCommandCode.ReadHistoryData:
                return command with { Page = parameters[0] };
            case ParadigmCommandCode.ReadGlucoseHistory:
                return command with { Page = BinaryPrimitives.ReadUInt32BigEndian(parameters) };
            default:
                return command;
        }
    }

    /// <summary>Three bytes whose hex digits are the serial's decimal digits: "578398" is 57 83 98.</summary>
    internal static void WriteSerial(string serial, Span<byte> destination)
    {
        for (var i = 0; i < 3; i++)
        {
            destination[i] = (byte)(((serial[2 * i] - '0') << 4) | (serial[(2 * i) + 1] - '0'));
        }
    }

    internal static string ReadSerial(ReadOnlySpan<byte> bytes, int offset)
    {
        Span<char> digits = stackalloc char[6];
        for (var i = 0; i < 3; i++)
        {
            var b = bytes[offset + i];
            if ((b >> 4) > 9 || (b & 0x0F) > 9)
            {
                throw new ProtocolException(ProtocolErrorKind.OutOfRange, offset + i, $"a pump serial is decimal digits, byte 0x{b:x2} is not");
            }

            digits[2 * i] = (char)('0' + (b >> 4));
            digits[(2 * i) + 1] = (char)('0' + (b & 0x0F));
        }

        return new string(digits);
    }

    internal static string RequireSerial(string serial)
    {
        ArgumentNullException.ThrowIfNull(serial);
        return serial.Length == 6 && serial.All(char.IsAsciiDigit)
            ? serial
            : throw new ArgumentException($"A pump serial is six digits, got \"{serial}\".", nameof(serial));
    }

    private static int ParameterCount(ParadigmCommandCode code) => code switch
    {
        ParadigmCommandCode.PowerControl => 2,
        ParadigmCommandCode.ReadHistoryData => 1,
        ParadigmCommandCode.ReadGlucoseHistory => 4,
        _ => 0,
    };

    /// <summary>
    /// The "expected frames" byte. decocare counts 64-byte frames and sends 2 for anything longer than
    /// one, so a 1024-byte page says 2, as the captured download does; the wake-up expects none.
    /// </summary>
    private static byte FramesByte(ParadigmCommandCode code) => ExpectedReplyLength(code) switch
    {
        0 => 0,
        FrameLength => 1,
        _ => 2,
    };

    private static ParadigmCommandCode RequireKnown(ParadigmCommandCode code) =>
        Enum.IsDefined(code) ? code : throw new ArgumentOutOfRangeException(nameof(code), code, "not a read command of a download");
}
