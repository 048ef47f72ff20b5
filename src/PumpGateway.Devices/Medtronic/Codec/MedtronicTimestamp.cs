using PumpGateway.Protocol;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// The 5-byte pump-local timestamp of a history record: b0 = second (bits 0-5) and month bits 3-2
/// (bits 7-6); b1 = minute (bits 0-5) and month bits 1-0 (bits 7-6); b2 = hour (bits 0-4);
/// b3 = day (bits 0-4); b4 = year - 2000 (bits 0-6). The bits left over in b2, b3 and b4 belong
/// to the record (bolus kind, basal pattern, high bits of a BG …): they are kept here as they
/// were, and the records that know their meaning read them from here.
/// </summary>
public readonly record struct MedtronicTimestamp(DateTime Time, byte HourHighBits = 0, byte DayHighBits = 0, bool YearHighBit = false)
{
    public const int Length = 5;

    /// <summary>Decodes bytes [0..5) of <paramref name="bytes"/>; <paramref name="offset"/> is their place in the page, for errors.</summary>
    public static MedtronicTimestamp Decode(ReadOnlySpan<byte> bytes, int offset)
    {
        if (bytes.Length < Length)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, offset, $"a timestamp is {Length} bytes, {bytes.Length} left");
        }

        var second = bytes[0] & 0x3F;
        var minute = bytes[1] & 0x3F;
        var hour = bytes[2] & 0x1F;
        var day = bytes[3] & 0x1F;
        var month = ((bytes[0] >> 6) << 2) | (bytes[1] >> 6);
        var year = 2000 + (bytes[4] & 0x7F);
        var time = MedtronicDates.Build(year, month, day, hour, minute, second, offset);
        return new MedtronicTimestamp(time, (byte)(bytes[2] >> 5), (byte)(bytes[3] >> 5), (bytes[4] & 0x80) != 0);
    }

    public void Encode(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"A timestamp needs {Length} bytes.", nameof(destination));
        }

        MedtronicDates.CheckYear(Time.Year);
        if (HourHighBits > 7 || DayHighBits > 7)
        {
            throw new ArgumentOutOfRangeException(nameof(destination), "the spare bits of the hour and day bytes are 3 bits each");
        }

        if (Time.Millisecond != 0 || Time.Microsecond != 0 || Time.Nanosecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(destination), "a pump timestamp has whole seconds");
        }

        destination[0] = (byte)(((Time.Month >> 2) << 6) | Time.Second);
        destination[1] = (byte)(((Time.Month & 3) << 6) | Time.Minute);
        destination[2] = (byte)((HourHighBits << 5) | Time.Hour);
        destination[3] = (byte)((DayHighBits << 5) | Time.Day);
        destination[4] = (byte)((YearHighBit ? 0x80 : 0) | (Time.Year - 2000));
    }

    public override string ToString() => Time.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The 2-byte date of the daily-total records (0x07, 0x6C-0x6E): b0 = day (bits 0-4) and month
/// bits 3-1 (bits 7-5); b1 = month bit 0 (bit 7) and year - 2000 (bits 0-6). CareLink shows the
/// total at 00:00 of that date.
/// </summary>
public readonly record struct MedtronicDate(DateOnly Date)
{
    public const int Length = 2;

    public static MedtronicDate Decode(ReadOnlySpan<byte> bytes, int offset)
    {
        if (bytes.Length < Length)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, offset, $"a daily-total date is {Length} bytes, {bytes.Length} left");
        }

        var day = bytes[0] & 0x1F;
        var month = ((bytes[0] >> 5) << 1) | (bytes[1] >> 7);
        var year = 2000 + (bytes[1] & 0x7F);
        return new MedtronicDate(DateOnly.FromDateTime(MedtronicDates.Build(year, month, day, 0, 0, 0, offset)));
    }

    public void Encode(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"A daily-total date needs {Length} bytes.", nameof(destination));
        }

        MedtronicDates.CheckYear(Date.Year);
        destination[0] = (byte)(((Date.Month >> 1) << 5) | Date.Day);
        destination[1] = (byte)(((Date.Month & 1) << 7) | (Date.Year - 2000));
    }

    public override string ToString() => Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The 4-byte, minute-precision timestamp of the glucose-page records, in the order the page is
/// read (backwards from its end): r0 = hour (bits 0-4) and month bits 3-2 (bits 7-6), r1 = minute
/// (bits 0-5) and month bits 1-0 (bits 7-6), r2 = day (bits 0-4), r3 = year - 2000 (bits 0-6).
/// Spare bits (r0 bit 5, r2 bits 5-7, r3 bit 7) carry record flags and are kept.
/// </summary>
public readonly record struct MedtronicGlucoseTimestamp(DateTime Time, bool HourBit5 = false, byte DayHighBits = 0, bool YearHighBit = false)
{
    public const int Length = 4;

    /// <summary>Decodes the four bytes in reading order; <paramref name="offset"/> is the first one's place in the page.</summary>
    public static MedtronicGlucoseTimestamp Decode(ReadOnlySpan<byte> readingOrder, int offset)
    {
        if (readingOrder.Length < Length)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, offset, $"a glucose timestamp is {Length} bytes, {readingOrder.Length} left");
        }

        var hour = readingOrder[0] & 0x1F;
        var minute = readingOrder[1] & 0x3F;
        var month = ((readingOrder[0] >> 6) << 2) | (readingOrder[1] >> 6);
        var day = readingOrder[2] & 0x1F;
        var year = 2000 + (readingOrder[3] & 0x7F);
        var time = MedtronicDates.Build(year, month, day, hour, minute, 0, offset);
        return new MedtronicGlucoseTimestamp(time, (readingOrder[0] & 0x20) != 0, (byte)(readingOrder[2] >> 5), (readingOrder[3] & 0x80) != 0);
    }

    /// <summary>Writes the four bytes in reading order.</summary>
    public void Encode(Span<byte> readingOrder)
    {
        if (readingOrder.Length < Length)
        {
            throw new ArgumentException($"A glucose timestamp needs {Length} bytes.", nameof(readingOrder));
        }

        MedtronicDates.CheckYear(Time.Year);
        if (DayHighBits > 7 || Time.Second != 0 || Time.Millisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(readingOrder), "a glucose timestamp has whole minutes and 3 spare day bits");
        }

        readingOrder[0] = (byte)(((Time.Month >> 2) << 6) | (HourBit5 ? 0x20 : 0) | Time.Hour);
        readingOrder[1] = (byte)(((Time.Month & 3) << 6) | Time.Minute);
        readingOrder[2] = (byte)((DayHighBits << 5) | Time.Day);
        readingOrder[3] = (byte)((YearHighBit ? 0x80 : 0) | (Time.Year - 2000));
    }

    public override string ToString() => Time.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

internal static class MedtronicDates
{
    public static DateTime Build(int year, int month, int day, int hour, int minute, int second, int offset)
    {
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            throw new ProtocolException(
                ProtocolErrorKind.OutOfRange,
                offset,
                $"{year:D4}-{month:D2}-{day:D2} {hour:D2}:{minute:D2}:{second:D2} is not a date and time");
        }

        return new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
    }

    public static void CheckYear(int year)
    {
        if (year is < 2000 or > 2127)
        {
            throw new ArgumentOutOfRangeException(nameof(year), year, "a pump date holds the years 2000 to 2127");
        }
    }
}
