using System.Buffers.Binary;
using System.Text;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// The pump's replies to the reads of a download, as the reassembled data of their ReadRadio replies:
/// one 64-byte frame for the small reads, 1024 bytes for a history or glucose page. Offsets are those
/// decocare reads from the CareLink stick; rileylink_ios reads the same fields one byte later because
/// its message body keeps a leading byte the stick does not deliver. The bytes after a reply's fields
/// are zero in every capture and are not interpreted; the encoders write zeros there.
/// </summary>
public static class ParadigmReplies
{
    /// <summary>x22 and older pumps count 10 strokes per unit, x23 and newer 40.</summary>
    public const int StrokesPerUnitX22 = 10;

    public const int StrokesPerUnitX23 = 40;

    private const int Frame = ParadigmCommands.FrameLength;

    /// <summary>A length byte, then that many ASCII characters ("522").</summary>
    public static string DecodePumpModel(ReadOnlySpan<byte> reply)
    {
        RequireFrame(reply, "pump model");
        int length = reply[0];
        if (length is 0 or >= Frame)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, 0, $"a model is 1 to {Frame - 1} characters, the length byte says {length}");
        }

        return ReadPrintable(reply.Slice(1, length), 1);
    }

    public static byte[] EncodePumpModel(string model)
    {
        RequirePrintable(model, Frame - 1, nameof(model));
        var reply = new byte[Frame];
        reply[0] = (byte)model.Length;
        Encoding.ASCII.GetBytes(model).CopyTo(reply, 1);
        return reply;
    }

    /// <summary>Hour, minute, second, year (u16 big-endian), month, day: the pump's local time, no zone.</summary>
    public static DateTime DecodeRtc(ReadOnlySpan<byte> reply)
    {
        RequireFrame(reply, "clock");
        int year = BinaryPrimitives.ReadUInt16BigEndian(reply[3..]);
        RequireRange(reply[0], 0, 23, 0, "hour");
        RequireRange(reply[1], 0, 59, 1, "minute");
        RequireRange(reply[2], 0, 59, 2, "second");
        RequireRange(year, 1, 9999, 3, "year");
        RequireRange(reply[5], 1, 12, 5, "month");
        RequireRange(reply[6], 1, DateTime.DaysInMonth(year, reply[5]), 6, "day");
        return new DateTime(year, reply[5], reply[6], reply[0], reply[1], reply[2], DateTimeKind.Unspecified);
    }

    public static byte[] EncodeRtc(DateTime pumpTime)
    {
        if (pumpTime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentException("The pump's clock has whole seconds.", nameof(pumpTime));
        }

        var reply = new byte[Frame];
        reply[0] = (byte)pumpTime.Hour;
        reply[1] = (byte)pumpTime.Minute;
        reply[2] = (byte)pumpTime.Second;
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(3), (ushort)pumpTime.Year);
        reply[5] = (byte)pumpTime.Month;
        reply[6] = (byte)pumpTime.Day;
        return reply;
    }

    /// <summary>The pump's serial as six ASCII digits.</summary>
    public static string DecodePumpId(ReadOnlySpan<byte> reply)
    {
        RequireFrame(reply, "pump id");
        for (var i = 0; i < 6; i++)
        {
            if (!char.IsAsciiDigit((char)reply[i]))
            {
                throw new ProtocolException(ProtocolErrorKind.OutOfRange, i, $"a pump id is six ASCII digits, byte 0x{reply[i]:x2} is not one");
            }
        }

        return Encoding.ASCII.GetString(reply[..6]);
    }

    public static byte[] EncodePumpId(string pumpSerial)
    {
        var reply = new byte[Frame];
        Encoding.ASCII.GetBytes(ParadigmCommands.RequireSerial(pumpSerial)).CopyTo(reply, 0);
        return reply;
    }

    /// <summary>Indicator byte, then the voltage in hundredths of a volt (u16 big-endian).</summary>
    public static ParadigmBatteryStatus DecodeBatteryStatus(ReadOnlySpan<byte> reply)
    {
        RequireFrame(reply, "battery status");
        var indicator = (ParadigmBatteryIndicator)reply[0];
        if (!Enum.IsDefined(indicator))
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 0, $"battery indicator {reply[0]} is neither normal (0) nor low (1)");
        }

        return new ParadigmBatteryStatus(indicator, BinaryPrimitives.ReadUInt16BigEndian(reply[1..]) / 100m);
    }

    public static byte[] EncodeBatteryStatus(ParadigmBatteryStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (!Enum.IsDefined(status.Indicator))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status.Indicator, "not a battery indicator");
        }

        var reply = new byte[Frame];
        reply[0] = (byte)status.Indicator;
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(1), WholeCount(status.Volts, 100, nameof(status)));
        return reply;
    }

    /// <summary>
    /// Reservoir strokes, u16 big-endian: bytes 0–1 on x22 and older (10 strokes per unit), bytes 2–3
    /// on x23 and newer (40 per unit), as decocare's ReadRemainingInsulin / ReadRemainingInsulin523.
    /// </summary>
    /// <returns>Units of insulin left.</returns>
    public static decimal DecodeRemainingInsulin(ReadOnlySpan<byte> reply, int strokesPerUnit)
    {
        var offset = StrokesOffset(strokesPerUnit);
        RequireFrame(reply, "remaining insulin");
        return BinaryPrimitives.ReadUInt16BigEndian(reply[offset..]) / (decimal)strokesPerUnit;
    }

    public static byte[] EncodeRemainingInsulin(decimal units, int strokesPerUnit)
    {
        var offset = StrokesOffset(strokesPerUnit);
        var reply = new byte[Frame];
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(offset), WholeCount(units, strokesPerUnit, nameof(units)));
        return reply;
    }

    /// <summary>ASCII up to the first NUL (rileylink_ios) or 0x0B (decocare splits there).</summary>
    public static string DecodeFirmwareVersion(ReadOnlySpan<byte> reply)
    {
        RequireFrame(reply, "firmware version");
        var end = reply.IndexOfAny((byte)0x00, (byte)0x0B);
        var text = end < 0 ? reply : reply[..end];
        if (text.IsEmpty)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, 0, "an empty firmware version");
        }

        return ReadPrintable(text, 0);
    }

    public static byte[] EncodeFirmwareVersion(string version)
    {
        RequirePrintable(version, Frame, nameof(version));
        var reply = new byte[Frame];
        Encoding.ASCII.GetBytes(version).CopyTo(reply, 0);
        return reply;
    }

    /// <summary>The first byte of the reply, 0 when no error is active. No public source decodes this reply further.</summary>
    public static byte DecodeErrorStatus(ReadOnlySpan<byte> reply)
    {
        RequireFrame(reply, "error status");
        return reply[0];
    }

    public static byte[] EncodeErrorStatus(byte errorCode)
    {
        var reply = new byte[Frame];
        reply[0] = errorCode;
        return reply;
    }

    /// <summary>The current history page, u32 big-endian. Not clamped: decocare and Tidepool cap it at 36 pages, which is the driver's choice to make.</summary>
    public static uint DecodeCurrentPageNumber(ReadOnlySpan<byte> reply)
    {
        RequireFrame(reply, "current page number");
        return BinaryPrimitives.ReadUInt32BigEndian(reply);
    }

    public static byte[] EncodeCurrentPageNumber(uint page)
    {
        var reply = new byte[Frame];
        BinaryPrimitives.WriteUInt32BigEndian(reply, page);
        return reply;
    }

    /// <summary>
    /// Current glucose page (u32 big-endian), then glucose page count at byte 5 and ISIG page count at
    /// byte 7 (decocare, Tidepool and rileylink_ios agree); bytes 4 and 6 are zero in every known reply.
    /// </summary>
    public static ParadigmGlucosePageNumber DecodeCurrentGlucosePageNumber(ReadOnlySpan<byte> reply)
    {
        RequireFrame(reply, "current glucose page number");
        foreach (var reserved in (ReadOnlySpan<int>)[4, 6])
        {
            if (reply[reserved] != 0)
            {
                throw new ProtocolException(ProtocolErrorKind.ReservedValue, reserved, $"byte {reserved} is 0, got 0x{reply[reserved]:x2}");
            }
        }

        return new ParadigmGlucosePageNumber(BinaryPrimitives.ReadUInt32BigEndian(reply), reply[5], reply[7]);
    }

    public static byte[] EncodeCurrentGlucosePageNumber(ParadigmGlucosePageNumber page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var reply = new byte[Frame];
        BinaryPrimitives.WriteUInt32BigEndian(reply, page.CurrentPage);
        reply[5] = page.GlucosePages;
        reply[7] = page.IsigPages;
        return reply;
    }

    /// <summary>A ReadHistoryData or ReadGlucoseHistory page, handed over whole: its records and page CRC are the page decoder's.</summary>
    public static byte[] DecodePage(ReadOnlySpan<byte> reply)
    {
        RequireLength(reply, ParadigmCommands.PageLength, "page");
        return reply.ToArray();
    }

    public static byte[] EncodePage(ReadOnlySpan<byte> page)
    {
        if (page.Length != ParadigmCommands.PageLength)
        {
            throw new ArgumentException($"A page is {ParadigmCommands.PageLength} bytes.", nameof(page));
        }

        return page.ToArray();
    }

    private static int StrokesOffset(int strokesPerUnit) => strokesPerUnit switch
    {
        StrokesPerUnitX22 => 0,
        StrokesPerUnitX23 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(strokesPerUnit), strokesPerUnit, "Paradigm pumps count 10 or 40 strokes per unit."),
    };

    private static ushort WholeCount(decimal value, int perUnit, string parameter)
    {
        var count = value * perUnit;
        return count is >= 0 and <= ushort.MaxValue && decimal.Truncate(count) == count
            ? (ushort)count
            : throw new ArgumentOutOfRangeException(parameter, value, $"not a whole number of 1/{perUnit} in 0..{ushort.MaxValue}");
    }

    private static void RequireFrame(ReadOnlySpan<byte> reply, string what) => RequireLength(reply, Frame, what);

    private static void RequireLength(ReadOnlySpan<byte> reply, int length, string what)
    {
        if (reply.Length != length)
        {
            throw new ProtocolException(
                reply.Length < length ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength,
                Math.Min(reply.Length, length),
                $"a {what} reply is {length} bytes, got {reply.Length}");
        }
    }

    private static void RequireRange(int value, int min, int max, int offset, string field)
    {
        if (value < min || value > max)
        {
            throw new ProtocolException(ProtocolErrorKind.OutOfRange, offset, $"{field} {value} is outside {min}..{max}");
        }
    }

    private static string ReadPrintable(ReadOnlySpan<byte> text, int offset)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is < 0x20 or > 0x7E)
            {
                throw new ProtocolException(ProtocolErrorKind.OutOfRange, offset + i, $"byte 0x{text[i]:x2} is not printable ASCII");
            }
        }

        return Encoding.ASCII.GetString(text);
    }

    private static void RequirePrintable(string text, int maxLength, string parameter)
    {
        ArgumentNullException.ThrowIfNull(text, parameter);
        if (text.Length == 0 || text.Length > maxLength || text.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException($"1 to {maxLength} printable ASCII characters.", parameter);
        }
    }
}
